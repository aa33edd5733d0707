// Text frames carry strings; binary frames carry bytes. binaryType picks how bytes arrive.
const ws = new WebSocket('/echo');
ws.binaryType = 'arraybuffer'; // the default is 'blob'

ws.onopen = () => {
  ws.send('text');
  ws.send(new Uint8Array([0x01, 0x02, 0xfe, 0xff]));
  ws.send(new TextEncoder().encode('bytes that happen to be UTF-8').buffer);
};

let received = 0;
ws.onmessage = async (event) => {
  if (typeof event.data === 'string') {
    console.log('text frame:', event.data);
  } else {
    const bytes = new Uint8Array(event.data);
    console.log(`binary frame, ${bytes.length} bytes:`, bytes);
  }
  if (++received === 2) {
    ws.binaryType = 'blob';
    console.info("binaryType is now 'blob'");
  }
  if (event.data instanceof Blob) {
    console.log('as a Blob:', event.data, '->', await event.data.text());
    ws.close();
  }
};
