export * from './interceptor.js';
export * from './chain.js';
export * from './nackGenerator.js';
export * from './nackResponder.js';
