// 水城安全隐患随手拍: the citizens' mini-program of the hazardloop example
// server. Settings are in config.js; every server call is in api/index.js.
App({
  onLaunch() {},
})
