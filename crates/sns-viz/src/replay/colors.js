  var trialColors = ['#f5821f', '#2ca02c', '#9467bd', '#e377c2', '#8c564b', '#bcbd22', '#17becf', '#ffbb33', '#7f7f7f', '#aa0044'];
  function color(k) { return trialColors[k % trialColors.length]; }
