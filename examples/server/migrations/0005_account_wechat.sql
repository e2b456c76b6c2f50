-- A citizen's WeChat identity: the openid under the mini-program's app ID
-- and, when WeChat gives one, the unionid; each belongs to one account.
-- The session key WeChat returns at login is never stored.
ALTER TABLE server_users ADD COLUMN openid text UNIQUE;
ALTER TABLE server_users ADD COLUMN unionid text UNIQUE;
