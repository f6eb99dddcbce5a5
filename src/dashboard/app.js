// The node's dashboard: polls the node's own read-only JSON-RPC methods (batched, every 2 s) and
// redraws. No framework, no build step: served as is by the kernel's HTTP server.
const POLL_MS = 2000;
const $ = (id) => document.getElementById(id);
const esc = (v) => String(v ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const ago = (ms) => { const s = Math.max(0, Math.round((Date.now() - ms) / 1000)); return s < 90 ? `${s} s ago` : `${Math.round(s / 60)} min ago`; };
const countdown = (ms) => { const s = Math.round((ms - Date.now()) / 1000); return s <= 0 ? 'passed' : s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`; };
const eth = (wei) => (wei === undefined ? '?' : (Number(BigInt(wei) / 10n ** 12n) / 1e6).toFixed(4));

let methods = [];
async function rpc(calls) {
  if (!calls.length) return [];
  const body = calls.map(([method, params], id) => ({ jsonrpc: '2.0', id, method, params: params ?? [] }));
  const res = await fetch('/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const replies = await res.json();
  const out = [];
  for (const r of replies) out[r.id] = r.error ? undefined : r.result;
  return out;
}
const has = (m) => methods.includes(m);

function renderEpochs(jobs) {
  if (!jobs.length) return '<span class="dim">no epoch job yet (the node bids when an epoch ends and proves the ones it wins)</span>';
  const rows = [...jobs].reverse().slice(0, 12).map((j) => {
    const circuits = Object.entries(j.jobs.circuits ?? {})
      .map(([type, c]) => `<span class="c">${esc(type)} ${c.done}/${c.total}</span>`).join('');
    const done = j.jobs.done, total = Object.values(j.jobs.circuits ?? {}).reduce((a, c) => a + c.total, 0);
    const pct = total ? Math.round((100 * done) / total) : 0;
    const deadline = j.deadline && !j.finishedAt ? countdown(j.deadline) : '';
    const proof = j.proofTxHash ? `<code title="${esc(j.proofTxHash)}">${esc(j.proofTxHash.slice(0, 12))}…</code>` : '';
    return `<tr data-epoch="${j.epoch}">
      <td>${j.epoch}</td>
      <td class="state state-${esc(j.state)}" data-state="${esc(j.state === 'completed' ? 'proven' : j.state)}">${esc(j.state === 'completed' ? 'proven' : j.state)}</td>
      <td>${j.fromBlock}–${j.toBlock}</td>
      <td><span class="bar"><span style="width:${pct}%"></span></span>${done}/${total}</td>
      <td class="circuits">${circuits}</td>
      <td>${esc(deadline)}</td>
      <td>${proof}${j.error ? `<span class="bad">${esc(j.error)}</span>` : ''}</td>
    </tr>`;
  });
  return `<table><thead><tr><th>epoch</th><th>state</th><th>blocks</th><th>proofs</th><th>per circuit (done/total)</th><th>deadline in</th><th>proof tx / error</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function renderQueue(status) {
  if (!status.queue.length) return '<span class="dim">empty</span>';
  return `<table><thead><tr><th>circuit</th><th>queued</th><th>proving</th></tr></thead><tbody>${status.queue
    .map((q) => `<tr><td>${esc(q.type)}</td><td>${q.queued}</td><td>${q.inProgress}</td></tr>`).join('')}</tbody></table>`;
}

function renderAgents(status) {
  if (!status.agents.length) return '<span class="bad">no agent has asked for work in the last hour: claimed epochs will not be proven</span>';
  return `<table><thead><tr><th>agent</th><th>last seen</th><th>current job</th><th>proofs/hour</th></tr></thead><tbody>${status.agents
    .map((a) => `<tr><td>${esc(a.id)}</td><td class="${Date.now() - a.lastSeenAt > 60000 ? 'bad' : ''}">${ago(a.lastSeenAt)}</td><td>${a.jobs.map((j) => `${esc(j.type)} (epoch ${j.epoch})`).join(', ') || '<span class="dim">idle</span>'}</td><td>${a.provedLastHour}</td></tr>`).join('')}</tbody></table>`;
}

function renderPublisher(status, jobs) {
  const last = [...jobs].reverse().find((j) => j.proofTxHash);
  return `<table>
    <tr><th>address</th><td><code>${esc(status.address)}</code></td></tr>
    <tr><th>balance</th><td>${eth(status.publisherBalance)} ETH</td></tr>
    <tr><th>escrow deposit</th><td>${status.escrowDeposit === undefined ? '?' : eth(status.escrowDeposit)} bond tokens</td></tr>
    <tr><th>last proof tx</th><td>${last ? `<code>${esc(last.proofTxHash)}</code> (epoch ${last.epoch})` : '<span class="dim">none yet</span>'}</td></tr>
    <tr><th>its gas</th><td>${last?.proofGasUsed ?? '–'}</td></tr>
    <tr><th>current epoch</th><td>${status.currentEpoch}</td></tr>
  </table>`;
}

async function refresh() {
  try {
    const [info] = await rpc([['kernel_getInfo']]);
    methods = info.methods;
    const roles = info.plugins.filter((p) => p.mode === 'role').map((p) => p.name);
    $('node').textContent = `v${info.version} · pid ${info.pid} · ${info.ready ? 'ready' : 'starting'} · roles: ${roles.join(', ') || 'none'}`;
    const calls = [['proverNode_getJobs'], ['proverNode_getStatus'], ['proverBroker_getStatus'], ['archiver_getTips']].filter(([m]) => has(m));
    const results = Object.fromEntries((await rpc(calls)).map((r, i) => [calls[i][0], r]));
    const jobs = results.proverNode_getJobs;
    if (jobs) $('epochs').innerHTML = renderEpochs(jobs);
    if (results.proverNode_getStatus && jobs) $('publisher').innerHTML = renderPublisher(results.proverNode_getStatus, jobs);
    if (results.proverBroker_getStatus) {
      $('queue').innerHTML = renderQueue(results.proverBroker_getStatus);
      $('agents').innerHTML = renderAgents(results.proverBroker_getStatus);
    }
    const tips = results.archiver_getTips;
    if (tips) $('tips').textContent = `L2 pending ${tips.pending} · proven ${tips.proven}`;
    $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    $('updated').innerHTML = `<span class="bad">node unreachable: ${esc(err.message)}</span>`;
  }
}

await refresh();
setInterval(refresh, POLL_MS);
