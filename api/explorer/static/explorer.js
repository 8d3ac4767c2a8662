// Keeps explorer pages live over the node's events WebSocket (its Centrifugo-style protocol):
// new blocks on the front page, and a pending transaction's page reloads once it settles.
(function () {
  "use strict";
  const prefix = document.querySelector("a.brand").getAttribute("href");
  const live = document.getElementById("live");
  const blocks = document.querySelector("table[data-live-blocks]");
  const pending = document.querySelector("[data-pending-tx]");
  const channels = [];
  if (blocks) channels.push("blocks");
  if (pending) channels.push("tx:" + pending.dataset.pendingTx);
  if (!channels.length || !window.WebSocket) return;

  function hex(base64) {
    return Array.from(atob(base64), c => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  }

  function when(unix) {
    return new Date(unix * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function addBlock(block) {
    const body = blocks.tBodies[0];
    if (body.querySelector('tr[data-block="' + block.id + '"]')) return;
    const row = body.insertRow(0);
    row.dataset.block = block.id;
    row.className = "new";
    const link = document.createElement("a");
    link.href = prefix + "/block/" + block.id;
    link.textContent = block.id;
    cell(row, "").appendChild(link);
    cell(row, when(block.time));
    cell(row, block.tx_count);
    cell(row, hex(block.hash), "hash");
    const keep = Math.max(Number(blocks.dataset.liveBlocks), 25);
    while (body.rows.length > keep) body.deleteRow(body.rows.length - 1);
  }

  let retry = 1000;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/connection/websocket");
    let id = 0;
    socket.onopen = () => {
      const commands = [{id: ++id}];
      for (const channel of channels) commands.push({id: ++id, method: 1, params: {channel}});
      socket.send(commands.map(c => JSON.stringify(c)).join("\n"));
    };
    socket.onmessage = event => {
      for (const line of event.data.split("\n")) {
        if (!line) continue;
        const message = JSON.parse(line);
        if (message.error) { live.textContent = "error: " + message.error.message; continue; }
        if (message.id === 1) { live.textContent = "live"; live.classList.add("on"); retry = 1000; }
        const push = message.id ? null : message.result;
        if (!push) continue;
        if (push.channel === "blocks") addBlock(push.data.data);
        else if (push.channel.startsWith("tx:")) location.reload();
      }
    };
    socket.onclose = () => {
      live.textContent = "offline";
      live.classList.remove("on");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();
