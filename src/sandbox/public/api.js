// The sandbox server's JSON API, as the page uses it.
async function call(method, url, body, contentType = 'application/json') {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType },
    body: body === undefined ? undefined : contentType === 'application/json' ? JSON.stringify(body) : body,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

export const api = {
  state: () => call('GET', '/api/state'),
  chat: (personaId) => call('GET', `/api/chats/${personaId}`),
  sendText: (personaId, text) => call('POST', `/api/personas/${personaId}/text`, { text }),
  shareContact: (personaId) => call('POST', `/api/personas/${personaId}/contact`, {}),
  press: (personaId, messageId, data) => call('POST', `/api/personas/${personaId}/press`, { messageId, data }),
  openStartLink: (personaId, payload) => call('POST', `/api/personas/${personaId}/start`, { payload }),
  sendFile: (personaId, kind, file, caption) => {
    const query = new URLSearchParams({ name: file.name });
    if (caption) query.set('caption', caption);
    return call('POST', `/api/personas/${personaId}/${kind}?${query}`, file, 'application/octet-stream');
  },
  addPersona: (firstName, lastName) => call('POST', '/api/personas', { firstName, lastName }),
  seed: () => call('POST', '/api/seed', {}),
  advanceClock: (jump) => call('POST', '/api/clock', { jump }),
};
