  var trialSel = document.getElementById('trial');
  var tbody = document.querySelector('#summary tbody');
  D.trials.forEach(function (tr, k) {
    var o = document.createElement('option');
    o.value = String(k);
