export * from './events';
export * from './problem';
