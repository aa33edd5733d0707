/** Saves text (or bytes) as a file through the browser's download (nothing leaves the page). */
export function download(name: string, data: string | Blob, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
