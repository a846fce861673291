export { loadAuthConfig, type AuthConfig } from './config.js';
export { startAuthService, buildAuthService, type AuthService } from './service.js';
export { authDataSource } from './data/data-source.js';
