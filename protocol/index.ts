export * from './events';
export * from './problem';
export * from './leads';
