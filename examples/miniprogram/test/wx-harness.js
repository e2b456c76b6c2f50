// A stand-in for the wx object outside WeChat: wx.request and
// wx.uploadFile go over real HTTP; the APIs that need WeChat (login,
// media, location, subscribe, merchant transfer) answer as their
// documentation says, with the user's choices set by the test.
const http = require('http')
const fs = require('fs')
const path = require('path')

function createWx(opts = {}) {
  const store = new Map()
  const calls = []
  const user = Object.assign({
    photos: [], // paths wx.chooseMedia returns; 'cancel' when the user closes the picker
    location: { latitude: 36.4567, longitude: 115.9853 }, // or 'deny'
    picked: null, // wx.chooseLocation's answer, or 'cancel'
    subscribe: 'accept', // or 'reject'
    transfer: 'confirm', // wx.requestMerchantTransfer: 'confirm', 'cancel' or 'fail'
    wechat: 'citizen', // who is logged in to WeChat: wx.login's code names them to the fake WeChat
  }, opts.user)
  // control is the fake WeChat Pay's control URL: the user's answer in the
  // transfer sheet is told to it (confirm: the bill succeeds and WeChat Pay
  // calls the server back).
  const control = opts.control || ''
  let codes = 0
  const record = (name, args) => calls.push({ name, args })
  const ok = (name, o, res) => {
    const r = Object.assign({ errMsg: name + ':ok' }, res)
    Promise.resolve().then(() => {
      if (o.success) o.success(r)
      if (o.complete) o.complete(r)
    })
  }
  const fail = (name, o, why) => {
    const r = { errMsg: name + ':fail ' + why }
    Promise.resolve().then(() => {
      if (o.fail) o.fail(r)
      if (o.complete) o.complete(r)
    })
  }

  function httpCall(url, method, headers, body, onDone, onSent) {
    const u = new URL(url)
    const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, method, headers }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => onDone(null, res, Buffer.concat(chunks)))
    })
    req.on('error', (e) => onDone(e))
    if (body) {
      // Written in pieces so that progress can be told.
      const step = Math.max(1, Math.ceil(body.length / 4))
      for (let i = 0; i < body.length; i += step) {
        req.write(body.subarray(i, i + step))
        if (onSent) onSent(Math.min(body.length, i + step), body.length)
      }
    }
    req.end()
  }

  const wx = {
    calls,
    user,
    getStorageSync: (k) => (store.has(k) ? JSON.parse(store.get(k)) : ''),
    setStorageSync: (k, v) => store.set(k, JSON.stringify(v)),
    removeStorageSync: (k) => store.delete(k),
    getStorageInfoSync: () => ({ keys: [...store.keys()] }),
    request(o) {
      record('request', { url: o.url, method: o.method })
      const headers = Object.assign({}, o.header)
      let body = null
      if (o.data !== undefined && o.method !== 'GET') {
        body = Buffer.from(typeof o.data === 'string' ? o.data : JSON.stringify(o.data))
      }
      httpCall(o.url, o.method || 'GET', headers, body, (err, res, buf) => {
        if (err) return fail('request', o, err.message)
        let data = buf.toString('utf8')
        if (o.dataType !== 'text') {
          try {
            data = JSON.parse(data)
          } catch (e) {
            // documented: the text stays as it is
          }
        }
        ok('request', o, { statusCode: res.statusCode, data, header: res.headers })
      })
      return { abort() {} }
    },
    uploadFile(o) {
      record('uploadFile', { url: o.url, filePath: o.filePath })
      const listeners = []
      const boundary = '----hazardloop' + Date.now()
      const file = fs.readFileSync(o.filePath)
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${o.name}"; filename="${path.basename(o.filePath)}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
        file,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ])
      const headers = Object.assign({}, o.header, { 'Content-Type': 'multipart/form-data; boundary=' + boundary, 'Content-Length': body.length })
      setImmediate(() => httpCall(o.url, 'POST', headers, body, (err, res, buf) => {
        if (err) return fail('uploadFile', o, err.message)
        ok('uploadFile', o, { statusCode: res.statusCode, data: buf.toString('utf8') })
      }, (sent, total) => listeners.forEach((f) => f({ progress: Math.round((100 * sent) / total), totalBytesSent: sent, totalBytesExpectedToSend: total }))))
      return { onProgressUpdate: (f) => listeners.push(f), abort() {} }
    },
    login(o) {
      record('login', {})
      codes++
      ok('login', o, { code: `wxcode-${user.wechat}-${codes}${Math.random().toString(36).slice(2, 8)}` })
    },
    chooseMedia(o) {
      record('chooseMedia', { count: o.count })
      if (user.photos === 'cancel') return fail('chooseMedia', o, 'cancel')
      const files = user.photos.slice(0, o.count || 9)
      ok('chooseMedia', o, { type: 'image', tempFiles: files.map((p) => ({ tempFilePath: p, size: fs.statSync(p).size, fileType: 'image' })) })
    },
    getLocation(o) {
      record('getLocation', { type: o.type })
      if (user.location === 'deny') return fail('getLocation', o, 'auth deny')
      ok('getLocation', o, Object.assign({ accuracy: 30, speed: -1, altitude: 0 }, user.location))
    },
    chooseLocation(o) {
      record('chooseLocation', {})
      if (!user.picked || user.picked === 'cancel') return fail('chooseLocation', o, 'cancel')
      ok('chooseLocation', o, user.picked)
    },
    requestSubscribeMessage(o) {
      record('requestSubscribeMessage', { tmplIds: o.tmplIds })
      const r = {}
      for (const id of o.tmplIds) r[id] = user.subscribe
      ok('requestSubscribeMessage', o, r)
    },
    requestMerchantTransfer(o) {
      record('requestMerchantTransfer', { mchId: o.mchId, appId: o.appId, package: o.package })
      const answer = () => {
        if (user.transfer === 'cancel') return fail('requestMerchantTransfer', o, 'cancel')
        if (user.transfer === 'fail') return fail('requestMerchantTransfer', o, 'system error')
        ok('requestMerchantTransfer', o, {})
      }
      if (!control) return answer()
      const body = Buffer.from(JSON.stringify({ package: o.package, action: user.transfer }))
      httpCall(control + '/transfer', 'POST', { 'Content-Type': 'application/json', 'Content-Length': body.length }, body, (err, res, buf) => {
        if (err || res.statusCode !== 204) return fail('requestMerchantTransfer', o, 'system error ' + (err ? err.message : buf.toString()))
        answer()
      })
    },
  }
  for (const name of ['showToast', 'showModal', 'showLoading', 'hideLoading', 'navigateTo', 'redirectTo', 'switchTab', 'navigateBack', 'previewImage', 'stopPullDownRefresh', 'setNavigationBarTitle']) {
    wx[name] = (o = {}) => {
      record(name, o)
      ok(name, o, name === 'showModal' ? { confirm: true, cancel: false } : {})
    }
  }
  return wx
}

// pngFile writes a small valid PNG (w×h, one colour per seed) and answers
// its path.
function pngFile(dir, seed) {
  const zlib = require('zlib')
  const crcTable = []
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    crcTable[n] = c >>> 0
  }
  const crc = (buf) => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type), data])
    const c = Buffer.alloc(4)
    c.writeUInt32BE(crc(td))
    return Buffer.concat([len, td, c])
  }
  const w = 16
  const h = 16
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8
  ihdr[9] = 2
  const raw = Buffer.alloc((w * 3 + 1) * h)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3
      raw[o] = (seed * 50 + x * 8) & 0xff
      raw[o + 1] = (seed * 90 + y * 8) & 0xff
      raw[o + 2] = (seed * 30) & 0xff
    }
  }
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
  const p = path.join(dir, `photo-${seed}.png`)
  fs.writeFileSync(p, png)
  return p
}

module.exports = { createWx, pngFile }
