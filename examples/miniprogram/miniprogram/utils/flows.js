// The flows the pages run, written against the API module and the wx
// APIs only, so that the integration test drives exactly what a page does.
const api = require('../api/index')

// Limits the server enforces (hazard.MaxPhotos, hazard.MaxDescriptionLen,
// hazard.MinDescriptionLen, hazard.MaxAddressLen); the server's own field
// errors still win.
const MAX_PHOTOS = 9
const MAX_DESCRIPTION = 1000
const MIN_DESCRIPTION = 1
const MAX_ADDRESS = 200

function wxCall(name, args) {
  return new Promise((resolve, reject) => {
    wx[name](Object.assign({}, args, { success: resolve, fail: reject }))
  })
}

// cancelled tells a user's refusal (cancel, deny) from a failure.
function cancelled(err) {
  const m = (err && err.errMsg) || ''
  return /cancel|deny|denied|auth/.test(m)
}

// choosePhotos asks for up to the photos still missing; it answers [] when
// the user cancels the picker.
async function choosePhotos(have) {
  const count = MAX_PHOTOS - have
  if (count <= 0) return []
  try {
    const res = await wxCall('chooseMedia', { count, mediaType: ['image'], sourceType: ['camera', 'album'], sizeType: ['compressed'] })
    return (res.tempFiles || []).map((f) => f.tempFilePath)
  } catch (err) {
    if (cancelled(err)) return []
    throw err
  }
}

// locate answers where the user is (gcj02, as the map picker expects), or
// null when location is denied: the user then types the address or picks
// it on the map.
async function locate() {
  try {
    const res = await wxCall('getLocation', { type: 'gcj02', isHighAccuracy: true })
    return { latitude: res.latitude, longitude: res.longitude }
  } catch (err) {
    if (cancelled(err)) return null
    throw err
  }
}

// pickOnMap lets the user correct the place; null when cancelled.
async function pickOnMap(near) {
  try {
    const res = await wxCall('chooseLocation', near ? { latitude: near.latitude, longitude: near.longitude } : {})
    return { latitude: res.latitude, longitude: res.longitude, address: [res.address, res.name].filter(Boolean).join(' ') }
  } catch (err) {
    if (cancelled(err)) return null
    throw err
  }
}

// askForNotices asks for the subscribe messages before a report is
// submitted; a refusal never stops the report.
async function askForNotices(templateIds) {
  if (!templateIds || templateIds.length === 0) return {}
  try {
    return await wxCall('requestSubscribeMessage', { tmplIds: templateIds })
  } catch (err) {
    return {}
  }
}

// validateReport checks a draft before it is sent and answers the field
// errors, keyed as the server keys them.
function validateReport(d) {
  const errors = {}
  if (!d.category) errors.category = '请选择隐患类别'
  const desc = (d.description || '').trim()
  if (desc.length < MIN_DESCRIPTION) errors.description = '请描述隐患，至少' + MIN_DESCRIPTION + '个字'
  else if (desc.length > MAX_DESCRIPTION) errors.description = '描述最多' + MAX_DESCRIPTION + '个字'
  const addr = (d.address || '').trim()
  if (!addr) errors.address = '请填写隐患地址'
  else if (addr.length > MAX_ADDRESS) errors.address = '地址最多' + MAX_ADDRESS + '个字'
  if (!d.photos || d.photos.length === 0) errors.photos = '请至少拍摄或选择 1 张照片'
  else if (d.photos.length > MAX_PHOTOS) errors.photos = '最多 ' + MAX_PHOTOS + ' 张照片'
  return errors
}

// reportBody turns a draft into the server's ReportRequest.
function reportBody(d, photoKeys) {
  const b = {
    category: d.category,
    severity: d.severity || 'general',
    description: d.description.trim(),
    address: d.address.trim(),
    photos: photoKeys,
  }
  if (d.unit) b.unit = d.unit
  if (d.location) {
    b.latitude = d.location.latitude
    b.longitude = d.location.longitude
    b.coord_system = 'GCJ02' // wx.getLocation's gcj02, in the server's canonical spelling
  }
  return b
}

// submitReport uploads the draft's photos not yet uploaded (each keeps its
// key, so a retry uploads nothing twice) and files the report with the
// draft's Idempotency-Key; onProgress gets (index, percent).
async function submitReport(draft, onProgress) {
  const keys = draft.uploaded || (draft.uploaded = {})
  for (let i = 0; i < draft.photos.length; i++) {
    const p = draft.photos[i]
    if (keys[p]) continue
    const up = await api.upload(p, (pct) => onProgress && onProgress(i, pct))
    keys[p] = up.key
  }
  return api.submitReport(reportBody(draft, draft.photos.map((p) => keys[p])), draft.idempotencyKey)
}

// claimReward claims a reward (again: a claim already waiting for the
// citizen, whose package the server gives again); when the server answers
// with a merchant transfer waiting for the citizen it opens
// wx.requestMerchantTransfer, then reads the reward back from the server:
// the outcome shown is the server's, never assumed. transfer is "none",
// "confirmed", "cancelled" or "failed".
async function claimReward(id, again) {
  const answer = again ? await api.pendingClaim(id) : await api.claim(id)
  let transfer = 'none'
  if (answer.package) {
    try {
      await wxCall('requestMerchantTransfer', { mchId: answer.mch_id, appId: answer.app_id, package: answer.package })
      transfer = 'confirmed'
    } catch (err) {
      transfer = cancelled(err) ? 'cancelled' : 'failed'
    }
  }
  const reward = await api.rewardState(id)
  return { reward, transfer, message: claimMessage(reward, transfer) }
}

function claimMessage(reward, transfer) {
  switch (reward.status) {
    case 'claimed':
      return '奖励已到账'
    case 'claiming':
      if (transfer === 'confirmed') return '已确认收款，到账确认中'
      if (transfer === 'cancelled') return '您已取消收款，可稍后在“待领”中再次领取'
      return '领取处理中，请稍后查看'
    case 'expired':
      return '奖励已过期'
    case 'failed':
      return '领取失败，请稍后重试或联系客服'
    default:
      return '奖励待领取'
  }
}

module.exports = {
  MAX_PHOTOS,
  MAX_DESCRIPTION,
  MIN_DESCRIPTION,
  choosePhotos,
  locate,
  pickOnMap,
  askForNotices,
  validateReport,
  reportBody,
  submitReport,
  claimReward,
  claimMessage,
}
