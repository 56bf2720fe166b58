    document.getElementById('clock').textContent = 'global step ' + Math.round(t) + ' of ' + T;
    document.getElementById('scrub').value = String(Math.round(t));
    var sel = document.getElementById('trial');
    if (sel.selectedIndex !== ball.k) { sel.selectedIndex = ball.k; }
    var trs = document.querySelectorAll('#summary tbody tr');
    for (var z = 0; z < trs.length; z++) { trs[z].className = z === ball.k ? 'current' : ''; }
