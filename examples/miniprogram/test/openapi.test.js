/**
 * @jest-environment node
 */
// The client cannot drift from the server: openapi.json (a saved copy of
// GET /api/v1/openapi.json) must be the running server's, and every call of
// the API module, every body it builds, must be one the description has.
// UPDATE_OPENAPI=1 npm test saves the running server's copy.
const fs = require('fs')
const path = require('path')
const { startServer } = require('./server')

const saved = path.join(__dirname, '..', 'openapi.json')
let server
let live

beforeAll(async () => {
  global.wx = require('./wx-harness').createWx()
  server = await startServer()
  const res = await fetch(server.baseURL + '/api/v1/openapi.json')
  live = await res.json()
  if (process.env.UPDATE_OPENAPI === '1' && process.env.CI !== 'true') {
    fs.writeFileSync(saved, JSON.stringify(live, null, 2) + '\n')
  }
})

afterAll(async () => {
  if (server) await server.stop()
})

test('the saved description is the running server\'s (UPDATE_OPENAPI=1 npm test saves it)', () => {
  expect(JSON.parse(fs.readFileSync(saved, 'utf8'))).toEqual(live)
})

test('every operation of the API module is in the description, with its parameters, body and access', () => {
  const { OPERATIONS } = require('../miniprogram/api/index')
  const doc = JSON.parse(fs.readFileSync(saved, 'utf8'))
  for (const [name, op] of Object.entries(OPERATIONS)) {
    const d = doc.paths[op.path] && doc.paths[op.path][op.method.toLowerCase()]
    expect({ name, declared: !!d }).toEqual({ name, declared: true })
    const params = d.parameters || []
    const inPath = (op.path.match(/\{(\w+)\}/g) || []).map((p) => p.slice(1, -1))
    expect({ name, path: params.filter((p) => p.in === 'path').map((p) => p.name) }).toEqual({ name, path: inPath })
    const query = params.filter((p) => p.in === 'query').map((p) => p.name)
    for (const q of op.query || []) expect({ name, query: q, known: query.includes(q) }).toEqual({ name, query: q, known: true })
    const headers = params.filter((p) => p.in === 'header').map((p) => p.name)
    for (const h of op.headers || []) expect({ name, header: h, known: headers.includes(h) }).toEqual({ name, header: h, known: true })
    let body = ''
    if (d.requestBody) {
      const c = d.requestBody.content
      body = c['multipart/form-data'] ? 'multipart' : c['application/json'].schema.$ref.split('/').pop()
    }
    expect({ name, body }).toEqual({ name, body: op.body || '' })
    expect({ name, public: d['x-access'] === 'public' }).toEqual({ name, public: op.auth === false })
  }
})

function checkBody(doc, schemaName, body) {
  const schema = doc.components.schemas[schemaName]
  for (const k of Object.keys(body)) {
    expect({ schemaName, field: k, known: k in schema.properties }).toEqual({ schemaName, field: k, known: true })
    const en = schema.properties[k].enum
    if (en) expect(en).toContain(body[k])
  }
  for (const k of schema.required || []) expect({ schemaName, required: k, sent: k in body }).toEqual({ schemaName, required: k, sent: true })
}

test('the bodies the client builds are the server\'s schemas', () => {
  const doc = JSON.parse(fs.readFileSync(saved, 'utf8'))
  const flows = require('../miniprogram/utils/flows')
  const full = flows.reportBody({
    category: 'fire', unit: 'fire', severity: 'major', description: '消防通道堵塞', address: '柳园路1号',
    location: { latitude: 36.45, longitude: 115.98 },
  }, ['k1'])
  checkBody(doc, 'ReportRequest', full)
  checkBody(doc, 'ReportRequest', flows.reportBody({ category: 'gas', description: '燃气味', address: '光岳路8号' }, ['k1']))
  checkBody(doc, 'VerifyRequest', { name: '张三', resident_id: '11010119900307001X' })
  checkBody(doc, 'DemoLoginRequest', { user: 'citizen-1' })
  if (doc.components.schemas.WeChatLoginRequest) checkBody(doc, 'WeChatLoginRequest', { code: 'c' })
  if (doc.components.schemas.WeChatPhoneRequest) checkBody(doc, 'WeChatPhoneRequest', { code: 'c' })
})
