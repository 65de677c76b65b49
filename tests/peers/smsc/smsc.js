#!/usr/bin/env node
// A test SMSC (SMPP 3.4 server) on 127.0.0.1 built on the npm `smpp` package, with an HTTP control
// API for tests: inject MO messages (single, multipart by UDH 8/16-bit or sar_* TLVs, shuffled,
// dropped or duplicated parts, UCS-2, raw octets), throttle submits, fail destinations, send
// receipts for every part (in order or shuffled, hex or decimal ids, delayed or never, text and/or
// TLVs), drop the connection mid-window, refuse binds, unbind, send malformed PDUs, and report
// everything submitted (raw octets, UDH, data_coding, decoded text).
//
//   node smsc.js [--port 0] [--control-port 0] [--system-id ID] [--password PW]
// Prints "smsc listening on smpp://127.0.0.1:P control http://127.0.0.1:C" on stdout when ready.
'use strict';
const http = require('http');
const crypto = require('crypto');
const smpp = require('smpp');
const defs = require('smpp/lib/defs');

const PDU = smpp.PDU;
// Keep each received PDU's raw octets (node-smpp decodes them; tests want them verbatim).
PDU.fromStream = function (stream, commandLength) {
  const rest = stream.read(commandLength - 4);
  if (!rest) return false;
  const head = Buffer.alloc(4);
  head.writeUInt32BE(commandLength, 0);
  const raw = Buffer.concat([head, rest]);
  const pdu = new PDU(raw);
  pdu.raw = raw;
  return pdu;
};

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const GSM = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXT = { '\f': 0x0a, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2f, '[': 0x3c, '~': 0x3d,
  ']': 0x3e, '|': 0x40, '€': 0x65 };
function gsmEncode(text) {
  const out = [];
  for (const ch of text) {
    const i = GSM.indexOf(ch);
    if (i >= 0 && ch !== '\x1b') out.push(i);
    else if (ch in GSM_EXT) out.push(0x1b, GSM_EXT[ch]);
    else out.push(0x3f);
  }
  return Buffer.from(out);
}
function gsmDecode(buf) {
  let s = '';
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i] & 0x7f;
    if (b === 0x1b && i + 1 < buf.length) {
      const n = buf[++i];
      const e = Object.keys(GSM_EXT).find((k) => GSM_EXT[k] === n);
      s += e !== undefined ? e : GSM[n & 0x7f];
    } else if (b !== 0x1b) s += GSM[b];
  }
  return s;
}
function ucs2Encode(text) {
  const le = Buffer.from(text, 'utf16le');
  return le.swap16();
}
function ucs2Decode(buf) {
  return Buffer.from(buf).swap16().toString('utf16le');
}

// ---- raw PDU parsing of what the ESME submits ----
function parseSubmit(raw) {
  let off = 16;
  const cstr = () => {
    const end = raw.indexOf(0, off);
    const s = raw.slice(off, end).toString('latin1');
    off = end + 1;
    return s;
  };
  const u8 = () => raw[off++];
  const m = {};
  m.service_type = cstr(); m.source_ton = u8(); m.source_npi = u8(); m.source_addr = cstr();
  m.dest_ton = u8(); m.dest_npi = u8(); m.destination_addr = cstr(); m.esm_class = u8();
  m.protocol_id = u8(); m.priority_flag = u8(); m.schedule_delivery_time = cstr();
  m.validity_period = cstr(); m.registered_delivery = u8(); m.replace_if_present_flag = u8();
  m.data_coding = u8(); m.sm_default_msg_id = u8();
  const len = u8();
  const sm = raw.slice(off, off + len);
  off += len;
  m.tlvs = {};
  while (off + 4 <= raw.length) {
    const tag = raw.readUInt16BE(off); const l = raw.readUInt16BE(off + 2);
    m.tlvs[tag.toString(16).padStart(4, '0')] = raw.slice(off + 4, off + 4 + l).toString('hex');
    off += 4 + l;
  }
  let payload = sm;
  m.udh = '';
  if (m.esm_class & 0x40 && sm.length > 0) {
    m.udh = sm.slice(0, sm[0] + 1).toString('hex');
    payload = sm.slice(sm[0] + 1);
  }
  if (len === 0 && m.tlvs['0424']) payload = Buffer.from(m.tlvs['0424'], 'hex');
  m.short_message = sm.toString('hex');
  m.payload = payload.toString('hex');
  m.text = m.data_coding === 8 ? ucs2Decode(payload) : m.data_coding === 3 ? payload.toString('latin1')
    : gsmDecode(payload);
  m.raw = raw.toString('hex');
  return m;
}

// ---- state ----
const state = {};
function reset() {
  Object.assign(state, {
    config: {
      system_id: arg('--system-id', 'sbtest'), password: arg('--password', 'secret'),
      record: true, refuse_binds: 0, mute: false, resp_delay_ms: 0, id_format: 'hex',
      throttle: { per_second: 0, as_generic_nack: false }, fail: {},
      receipts: { enabled: true, delay_ms: 50, order: 'in_order', id_base: 'same', text: true,
        tlv: true, stat: {}, err: '000', omit: false, before_resp: false, jasmin: false },
      drop_after: null, mo_redeliver: { timeout_ms: 5000, delay_ms: 2000, max: 3 },
    },
    submitted: [], submit_count: 0, receipts_sent: [], deliver_resps: [], events: [], max_outstanding: 0,
    nacked: [], next_id: 1, binds: 0, submits_on_connection: new Map(),
  });
}
reset();
const sessions = new Set();

function messageId() {
  const n = state.next_id++;
  switch (state.config.id_format) {
    case 'decimal': return String(n + 1000000000).padStart(10, '0');
    case 'HEX': return (n + 0x0a1b2c00).toString(16).toUpperCase().padStart(8, '0');
    case 'uuid': return crypto.randomUUID();
    default: return (n + 0x0a1b2c00).toString(16).padStart(8, '0');
  }
}
function receiptId(id, base) {
  if (base === 'decimal') return BigInt('0x' + id).toString(10);
  if (base === 'upper') return id.toUpperCase();
  if (base === 'unpadded') return id.replace(/^0+/, '');
  return id;
}
function ymd() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return p(d.getUTCFullYear() % 100) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) +
    p(d.getUTCHours()) + p(d.getUTCMinutes());
}
function statFor(dest) {
  for (const [suffix, stat] of Object.entries(state.config.receipts.stat)) {
    if (dest.endsWith(suffix)) return stat;
  }
  return 'DELIVRD';
}
const STATE_OF = { ENROUTE: 1, DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6,
  UNKNOWN: 7, REJECTD: 8 };

function sendReceipt(session, m) {
  const r = state.config.receipts;
  const stat = statFor(m.destination_addr);
  const textId = receiptId(m.message_id, r.id_base);
  let text = '';
  if (r.text) {
    text = r.jasmin
      ? `id:${textId} submit date:${ymd()} done date:${ymd()} stat:${stat} err:${r.err}`
      : `id:${textId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${ymd()} ` +
        `done date:${ymd()} stat:${stat} err:${r.err} text:${m.text.slice(0, 20).replace(/[^ -~]/g, '?')}`;
  }
  const params = { source_addr_ton: m.dest_ton, source_addr_npi: m.dest_npi,
    source_addr: m.destination_addr, dest_addr_ton: m.source_ton, dest_addr_npi: m.source_npi,
    destination_addr: m.source_addr, esm_class: 0x04, data_coding: 0,
    short_message: Buffer.from(text, 'latin1') };
  if (r.tlv) {
    params.receipted_message_id = m.message_id;
    params.message_state = STATE_OF[stat] || 7;
  }
  state.receipts_sent.push({ message_id: m.message_id, id_in_text: textId, stat });
  session.send(new PDU('deliver_sm', params));
}

function scheduleReceipts(session, parts) {
  const r = state.config.receipts;
  if (!r.enabled || r.omit) return;
  const list = parts.filter((m) => (m.registered_delivery & 0x03) === 1 ||
    ((m.registered_delivery & 0x03) === 2 && statFor(m.destination_addr) !== 'DELIVRD'));
  if (r.order === 'shuffled') list.sort(() => Math.random() - 0.5);
  // A transmitter cannot take deliver_sm: receipts go to a receiver (or transceiver) of the account.
  const pick = () => (session.bindType !== 'bind_transmitter' && sessions.has(session) ? session
    : [...sessions].find((s) => s.bound && s.bindType !== 'bind_transmitter'));
  const send = () => list.forEach((m) => {
    const target = pick();
    if (target) sendReceipt(target, m);
  });
  // before_resp: written on the socket ahead of the submit_sm_resp.
  if (r.before_resp) send();
  else setTimeout(send, r.delay_ms);
}

// Multipart submits are grouped by their UDH/sar reference until every part was accepted.
const groups = new Map();
function concatKey(m) {
  if (m.udh) {
    const u = Buffer.from(m.udh, 'hex');
    if (u[1] === 0x00) return { key: `${m.destination_addr}/8/${u[3]}`, total: u[4] };
    if (u[1] === 0x08) return { key: `${m.destination_addr}/16/${u.readUInt16BE(3)}`, total: u[5] };
  }
  if (m.tlvs['020c']) return { key: `${m.destination_addr}/sar/${m.tlvs['020c']}`,
    total: parseInt(m.tlvs['020e'], 16) };
  return null;
}

function throttled(session) {
  const t = state.config.throttle;
  if (!t.per_second) return false;
  const now = Date.now();
  if (!session.bucket || now - session.bucket.start >= 1000) session.bucket = { start: now, n: 0 };
  return ++session.bucket.n > t.per_second;
}

function onSubmit(session, pdu) {
  if (session.bindType === 'bind_receiver') {
    session.send(pdu.response({ command_status: defs.errors.ESME_RINVBNDSTS }));
    return;
  }
  const m = parseSubmit(pdu.raw);
  m.sequence_number = pdu.sequence_number;
  m.connection = session.connId;
  m.status = 'received';
  state.submit_count++;
  if (state.config.record) state.submitted.push(m);  // off for benchmarks
  session.outstanding++;
  state.max_outstanding = Math.max(state.max_outstanding, session.outstanding);
  const count = (state.submits_on_connection.get(session.connId) || 0) + 1;
  state.submits_on_connection.set(session.connId, count);
  const d = state.config.drop_after;
  if (d && count > d.submits - d.unanswered) {
    m.status = 'unanswered';
    if (count >= d.submits) {
      state.config.drop_after = null;
      state.events.push({ event: 'dropped', connection: session.connId });
      session.socket.destroy();
    }
    return;
  }
  const answer = () => {
    session.outstanding--;
    if (!sessions.has(session)) {
      m.status = 'unanswered';
      return;
    }
    if (throttled(session)) {
      m.status = 'throttled';
      const st = defs.errors.ESME_RTHROTTLED;
      if (state.config.throttle.as_generic_nack) {
        session.send(new PDU('generic_nack', { sequence_number: pdu.sequence_number, command_status: st }));
      } else session.send(pdu.response({ command_status: st }));
      return;
    }
    for (const [suffix, st] of Object.entries(state.config.fail)) {
      if (m.destination_addr.endsWith(suffix)) {
        m.status = 'failed:' + st;
        session.send(pdu.response({ command_status: Number(st) }));
        return;
      }
    }
    m.message_id = messageId();
    m.status = 'accepted';
    const r = state.config.receipts;
    const ck = concatKey(m);
    let ready = [m];
    if (ck) {
      const g = groups.get(ck.key) || [];
      g.push(m);
      groups.set(ck.key, g);
      ready = g.length >= ck.total ? g : [];
      if (ready.length) groups.delete(ck.key);
    }
    if (r.before_resp) scheduleReceipts(session, ready);
    session.send(pdu.response({ message_id: m.message_id }));
    if (!r.before_resp) scheduleReceipts(session, ready);
  };
  if (state.config.resp_delay_ms > 0) setTimeout(answer, state.config.resp_delay_ms);
  else answer();
}

let connSeq = 0;
function onSession(session) {
  session.connId = ++connSeq;
  session.outstanding = 0;
  session.bound = false;
  sessions.add(session);
  session.on('error', () => {});
  session.on('close', () => {
    sessions.delete(session);
    if (session.bound) state.binds--;
  });
  const bind = (type) => (pdu) => {
    if (state.config.mute) return;
    session.pause();
    let st = 0;
    if (session.bound) st = defs.errors.ESME_RALYBND;
    else if (state.config.refuse_binds) st = state.config.refuse_binds;
    else if (pdu.system_id !== state.config.system_id) st = defs.errors.ESME_RINVSYSID;
    else if (pdu.password !== state.config.password) st = defs.errors.ESME_RINVPASWD;
    state.events.push({ event: type, status: st, connection: session.connId });
    session.send(pdu.response({ command_status: st, system_id: 'testsmsc' }));
    if (st === 0) {
      session.bound = true;
      session.bindType = type;
      state.binds++;
    }
    session.resume();
  };
  for (const t of ['bind_transceiver', 'bind_transmitter', 'bind_receiver']) session.on(t, bind(t));
  session.on('enquire_link', (pdu) => {
    state.events.push({ event: 'enquire_link', connection: session.connId });
    if (!state.config.mute) session.send(pdu.response());
  });
  session.on('submit_sm', (pdu) => { if (!state.config.mute) onSubmit(session, pdu); });
  session.on('unbind', (pdu) => {
    session.send(pdu.response());
    state.events.push({ event: 'unbind', connection: session.connId });
    setTimeout(() => session.close(), 10);
  });
  session.on('deliver_sm_resp', (pdu) => {
    state.deliver_resps.push({ sequence_number: pdu.sequence_number, status: pdu.command_status });
  });
  session.on('unbind_resp', () => {
    state.events.push({ event: 'unbind_resp', connection: session.connId });
    session.close();
  });
  session.on('generic_nack', (pdu) => state.nacked.push({ status: pdu.command_status,
    sequence_number: pdu.sequence_number }));
  session.on('unknown', (pdu) => session.send(pdu.response()));
}

// ---- MO injection ----
function buildMoParts(req) {
  const enc = req.encoding === 'ucs2' ? 8 : 0;
  const payload = req.raw_hex ? Buffer.from(req.raw_hex, 'hex')
    : enc === 8 ? ucs2Encode(req.text || '') : gsmEncode(req.text || '');
  const per = req.part_octets || (enc === 8 ? 134 : 153);
  const chunks = [];
  if (!req.parts || req.parts <= 1) chunks.push(payload);
  else for (let i = 0; i < req.parts; i++) chunks.push(payload.slice(i * per, (i + 1) * per));
  const ref = req.ref !== undefined ? req.ref : Math.floor(Math.random() * 200) + 1;
  const total = chunks.length;
  return chunks.map((c, i) => {
    const p = { source_addr_ton: req.source_ton !== undefined ? req.source_ton : 1,
      source_addr_npi: 1, source_addr: req.from, dest_addr_ton: 0, dest_addr_npi: 0,
      destination_addr: req.to || '12345', data_coding: enc, esm_class: req.esm_class || 0 };
    if (total === 1) { p.short_message = c; return p; }
    if (req.concat === 'sar') {
      p.short_message = c;
      p.sar_msg_ref_num = ref; p.sar_total_segments = total; p.sar_segment_seqnum = i + 1;
    } else {
      const udh = req.concat === 'udh16'
        ? Buffer.from([6, 8, 4, ref >> 8, ref & 0xff, total, i + 1])
        : Buffer.from([5, 0, 3, ref & 0xff, total, i + 1]);
      p.short_message = Buffer.concat([udh, c]);
      p.esm_class |= 0x40;
    }
    return p;
  });
}

function injectMo(req) {
  let parts = buildMoParts(req);
  if (req.drop_part) parts = parts.filter((_, i) => i + 1 !== req.drop_part);
  if (req.only_part) parts = parts.filter((_, i) => i + 1 === req.only_part);
  if (req.duplicate_part) parts.push(parts[req.duplicate_part - 1]);
  if (req.shuffle) parts.sort(() => Math.random() - 0.5);
  const target = [...sessions].find((s) => s.bound && s.bindType !== 'bind_transmitter');
  if (!target) return false;
  parts.forEach((p, i) => setTimeout(() => {
    if (sessions.has(target)) target.send(new PDU('deliver_sm', Object.assign({}, p)));
  }, (req.delay_ms || 0) * i));
  return parts.length;
}

// ---- control API ----
function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
function merge(dst, src) {
  for (const [k, v] of Object.entries(src)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && dst[k] && typeof dst[k] === 'object') merge(dst[k], v);
    else dst[k] = v;
  }
}
const control = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    let input = {};
    try { input = body ? JSON.parse(body) : {}; } catch (e) { return json(res, 400, { error: 'bad json' }); }
    const url = req.url.split('?')[0];
    if (req.method === 'GET' && url === '/health') return json(res, 200, { ok: true, binds: state.binds });
    if (req.method === 'GET' && url === '/submitted') return json(res, 200, { data: state.submitted });
    if (req.method === 'GET' && url === '/stats') {
      return json(res, 200, { binds: state.binds, connections: sessions.size,
        max_outstanding: state.max_outstanding, submitted: state.submit_count,
        receipts_sent: state.receipts_sent, deliver_resps: state.deliver_resps, events: state.events,
        generic_nacks_received: state.nacked });
    }
    if (req.method === 'POST' && url === '/reset') { reset(); return json(res, 200, { ok: true }); }
    if (req.method === 'POST' && url === '/config') { merge(state.config, input); return json(res, 200, state.config); }
    if (req.method === 'POST' && url === '/mo') {
      const n = injectMo(input);
      return n ? json(res, 200, { parts: n }) : json(res, 409, { error: 'no receiver bound' });
    }
    if (req.method === 'POST' && url === '/unbind') {
      for (const s of sessions) if (s.bound) s.send(new PDU('unbind'));
      return json(res, 200, { ok: true });
    }
    if (req.method === 'POST' && url === '/drop') {
      for (const s of sessions) s.socket.destroy();
      return json(res, 200, { ok: true });
    }
    if (req.method === 'POST' && url === '/raw') {
      for (const s of sessions) if (s.bound) s.socket.write(Buffer.from(input.hex || '', 'hex'));
      return json(res, 200, { ok: true });
    }
    return json(res, 404, { error: 'no such route' });
  });
});

const server = smpp.createServer({}, onSession);
server.listen(Number(arg('--port', 0)), '127.0.0.1', () => {
  control.listen(Number(arg('--control-port', 0)), '127.0.0.1', () => {
    process.stdout.write(`smsc listening on smpp://127.0.0.1:${server.address().port} ` +
      `control http://127.0.0.1:${control.address().port}\n`);
  });
});
process.on('SIGTERM', () => process.exit(0));
