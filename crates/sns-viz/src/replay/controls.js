  // ---- controls ----
  var playBtn = document.getElementById('play');
  function setPlaying(on) {
    if (on && t >= T) { t = 0; }
    playing = on;
    lastNow = null;
    playBtn.textContent = on ? 'Pause' : 'Play';
    if (on) { window.requestAnimationFrame(tick); }
  }
  function seek(v) { t = Math.max(0, Math.min(T, Number(v) || 0)); draw(); }
  function tick(now) {
    if (!playing) { return; }
    if (lastNow !== null) {
      t = Math.min(T, t + (now - lastNow) / 1000 * baseSpeed * speedMul);
    }
    lastNow = now;
    draw();
    if (t >= T) { setPlaying(false); return; }
    window.requestAnimationFrame(tick);
  }
  playBtn.addEventListener('click', function () { setPlaying(!playing); });
  document.getElementById('restart').addEventListener('click', function () { seek(0); });
  var speedSel = document.getElementById('speed');
  [0.25, 0.5, 1, 2, 4, 8, 16, 64].forEach(function (m) {
    var o = document.createElement('option');
    o.value = String(m);
    o.textContent = m + 'x';
    if (m === 1) { o.selected = true; }
    speedSel.appendChild(o);
  });
  speedSel.addEventListener('change', function () { speedMul = Number(speedSel.value) || 1; });
  var scrub = document.getElementById('scrub');
  scrub.max = String(T);
  scrub.addEventListener('input', function () { seek(scrub.value); });
