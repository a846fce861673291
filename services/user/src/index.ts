export { loadUserConfig, type UserConfig } from './config.js';
export { startUserService, type UserService } from './service.js';
export { createUserMetrics, type UserMetrics } from './metrics/user-metrics.js';
export { userDataSource } from './data/store.js';
