// "Send to Clipper" for browsers without extensions. Drag the one-line form (README) to the
// bookmarks bar. It opens Clipper's own small page (served by the running window on
// 127.0.0.1) and hands it the page with postMessage; that page shows what will be sent and
// sends it only when the editor clicks, so no web site can clip in the editor's name.
(function () {
  var origin = "http://127.0.0.1:23140";
  var w = window.open(origin + "/v1/bookmarklet", "clipper", "width=460,height=380");
  if (!w) {
    alert("Allow pop-ups for this page to send it to Clipper.");
    return;
  }
  var picked = "";
  var s = window.getSelection();
  if (s && s.rangeCount && !s.isCollapsed) {
    var holder = document.createElement("div");
    for (var i = 0; i < s.rangeCount; i++) holder.appendChild(s.getRangeAt(i).cloneContents());
    picked = holder.innerHTML;
  }
  var clip = {
    type: "clipper-clip",
    url: location.href,
    title: document.title,
    selection: picked,
    html: picked ? "" : document.documentElement.outerHTML,
  };
  var tries = 0;
  var timer = setInterval(function () {
    if (++tries > 40) clearInterval(timer);
    try {
      w.postMessage(clip, origin);
    } catch (e) {}
  }, 250);
  window.addEventListener("message", function (event) {
    if (event.origin === origin && event.data === "clipper-got-it") clearInterval(timer);
  });
})();
