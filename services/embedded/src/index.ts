export { embeddedEnv } from './embedded-env.js';
