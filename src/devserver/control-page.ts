/** The tiny page that stands in for xiaozhi.me: type the 6-digit code, see devices and sessions. */
export const CONTROL_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>xiaozhi-web devserver</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#222}
input{font:inherit;font-size:1.6rem;letter-spacing:.3em;width:11ch;padding:.2em .4em;font-variant-numeric:tabular-nums}
button{font:inherit;padding:.4em 1em}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.3em;text-align:left;font-size:.9em}
#msg{min-height:1.5em}.ok{color:#060}.bad{color:#a00}
</style></head><body>
<h1>XiaoZhi devserver</h1>
<p>Stands in for xiaozhi.me: enter the 6-digit code a device announced to bind it.</p>
<form id="f"><input id="code" aria-label="Activation code" autocomplete="one-time-code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" placeholder="000000" autofocus required>
<button>Activate</button></form><p id="msg" role="status"></p>
<h2>Devices</h2><table><thead><tr><th>Device-Id</th><th>Board</th><th>State</th><th>Code</th></tr></thead><tbody id="dev"></tbody></table>
<h2>Sessions</h2><table><thead><tr><th>Conn</th><th>Device-Id</th><th>Protocol</th><th>State</th></tr></thead><tbody id="ses"></tbody></table>
<script>
const $=(id)=>document.getElementById(id);
const cell=(t)=>{const td=document.createElement('td');td.textContent=t??'';return td};
const row=(cells)=>{const tr=document.createElement('tr');cells.forEach(c=>tr.append(cell(c)));return tr};
async function refresh(){
  const s=await (await fetch('state')).json();
  const codes=new Map(s.pending.map(p=>[p.deviceId,p.code]));
  $('dev').replaceChildren(...s.devices.map(d=>row([d.deviceId,d.board,d.activated?'activated':d.bound?'bound, waiting for device':'needs code',codes.get(d.deviceId)])));
  $('ses').replaceChildren(...s.connections.map(c=>row([c.id,c.deviceId,c.protocolVersion,c.state])));
}
$('f').onsubmit=async(e)=>{e.preventDefault();
  const r=await fetch('activate',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({code:$('code').value})});
  const b=await r.json();$('msg').textContent=r.ok?'Bound '+b.deviceId+'. The device finishes activation on its next poll.':b.error;
  $('msg').className=r.ok?'ok':'bad';refresh()};
refresh();setInterval(refresh,2000);
</script></body></html>`;
