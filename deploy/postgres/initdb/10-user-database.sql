-- The official image creates POSTGRES_DB (auth); the user service has a database of its own.
CREATE DATABASE users;
