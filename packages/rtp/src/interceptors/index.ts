export * from './interceptor.js';
export * from './chain.js';
export * from './nackGenerator.js';
export * from './nackResponder.js';
export * from './ntp.js';
export * from './receptionStats.js';
export * from './reports.js';
