export * from './stun/index.js';
export * from './turn/index.js';
export * from './agent/index.js';
