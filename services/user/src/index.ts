export { loadUserConfig, type UserConfig } from './config.js';
export { startUserService, type UserService } from './service.js';
export { userDataSource } from './data/store.js';
