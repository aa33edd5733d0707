// Offer subprotocols in order of preference; the server picks one (or none).
// /echo speaks chat, superchat and json.
const offers = [['superchat', 'chat'], ['json'], ['mqtt']];

for (const protocols of offers) {
  const ws = new WebSocket('/echo', protocols);
  ws.onopen = () => {
    console.log(`offered ${protocols.join(', ')} -> server chose ${JSON.stringify(ws.protocol)}`);
    ws.close();
  };
  ws.onerror = () => console.error(`offered ${protocols.join(', ')} -> the connection failed`);
}
