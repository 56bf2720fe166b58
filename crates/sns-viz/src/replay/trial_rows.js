      .forEach(function (v, i) {
        var td = document.createElement('td');
        td.textContent = v;
        if (i === 1) { td.className = tr.success ? 'ok' : 'ko'; }
        row.appendChild(td);
      });
    row.addEventListener('click', function () { seek(R.trials[k] ? R.trials[k].t0 : 0); });
    tbody.appendChild(row);
  });
  trialSel.addEventListener('change', function () {
    var k = Number(trialSel.value) || 0;
    seek(R.trials[k] ? R.trials[k].t0 : 0);
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.code === 'Space' && ev.target === document.body) { ev.preventDefault(); setPlaying(!playing); }
  });
