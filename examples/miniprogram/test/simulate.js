// Loads a page of the mini-program in miniprogram-simulate, with the WeUI
// components taken from the installed weui-miniprogram package (what
// DevTools' "构建 npm" copies into miniprogram_npm).
const path = require('path')
const simulate = require('miniprogram-simulate')

const root = path.join(__dirname, '..', 'miniprogram')
const weui = path.join(__dirname, '..', 'node_modules', 'weui-miniprogram', 'miniprogram_dist')

function loadPage(name) {
  const page = path.join(root, 'pages', name, name)
  const json = require(page + '.json')
  const using = {}
  for (const [tag, target] of Object.entries(json.usingComponents || {})) {
    const m = /^weui-miniprogram\/(.+)$/.exec(target)
    if (m) using[tag] = path.relative(path.dirname(page), path.join(weui, m[1]))
  }
  const id = simulate.load(page, { rootPath: root, usingComponents: using, compiler: 'simulate' })
  const comp = simulate.render(id)
  comp.attach(document.body)
  return comp
}

// settle waits until the page's pending promises (and their timers) ran.
async function settle(n = 20) {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0))
}

module.exports = { loadPage, settle, simulate }
