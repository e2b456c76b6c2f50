// Formatting shared by the pages: money in fen, times, state names.
const api = require('../api/index')

// yuan shows an amount in fen as ¥12.34.
function yuan(fen) {
  const n = Number(fen) || 0
  const sign = n < 0 ? '-' : ''
  const a = Math.abs(n)
  return sign + '¥' + Math.floor(a / 100) + '.' + String(a % 100).padStart(2, '0')
}

// day shows a time as 2026-12-03 14:37 (local time).
function day(iso) {
  if (!iso) return ''
  const d = new Date(iso)
  const p = (x) => String(x).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

let states = null

// stateNames answers the public name of every state of every process, as
// GET /api/v1/processes declares them (reference data, kept for the
// session only).
async function stateNames() {
  if (states) return states
  const l = await api.processes()
  const out = {}
  for (const p of l.items || []) {
    for (const s of p.states || []) {
      if (!out[s.name]) out[s.name] = (s.public && s.public.zh) || (s.label && s.label.zh) || s.name
    }
  }
  states = out
  return out
}

// citizenStates lists the citizen process's states for the plaza filter.
async function citizenStates() {
  const l = await api.processes()
  const p = (l.items || []).find((x) => x.name === 'citizen_report') || (l.items || [])[0]
  return p ? p.states.map((s) => ({ name: s.name, zh: (s.public && s.public.zh) || s.label.zh })) : []
}

// photoURL makes a photo link of the server absolute.
function photoURL(baseURL, u) {
  return /^https?:/.test(u) ? u : baseURL + u
}

module.exports = { yuan, day, stateNames, citizenStates, photoURL }
