// Trade the access key for an HttpOnly cookie, then reload the page that asked for it.
document.getElementById('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const msg = document.getElementById('msg');
  const res = await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key: document.getElementById('key').value }),
  });
  if (res.ok) location.reload();
  else msg.textContent = res.status === 429 ? '尝试次数过多，请稍后再试 · Too many attempts, wait a minute.' : '密钥错误 · Wrong access key.';
});
