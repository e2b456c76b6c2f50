// Settings a city fills in before publishing (see README.md).
module.exports = {
  // The server's root URL. It must be an HTTPS domain listed in the
  // mini-program's "request" and "uploadFile" legal domains (服务器域名).
  baseURL: 'https://hazard.example.gov.cn',
  // Subscribe-message template IDs (订阅消息模板 ID), the same the server
  // is started with: report received, report closed, reward issued.
  subscribeTemplates: [],
  // Demo only: log in as this seeded user through POST /api/v1/demo/login
  // instead of WeChat (for a server started with -demo). Leave empty.
  demoUser: '',
}
