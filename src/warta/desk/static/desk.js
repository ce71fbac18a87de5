// warta review desk: keyboard navigation and in-place saving of segment corrections.
// Progressive: without this script every form still posts and the page reloads.
(function () {
  "use strict";
  var list = document.querySelector("ol.segments");
  if (!list) { return; }
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var words = document.getElementById("desk-words");
  var say = function (name) { return words ? words.getAttribute("data-" + name) : name; };
  var segments = function () { return Array.prototype.slice.call(list.querySelectorAll("li.segment")); };

  function focusSegment(li) {
    if (!li) { return; }
    segments().forEach(function (s) { s.classList.remove("current"); });
    li.classList.add("current");
    li.focus();
    li.scrollIntoView({ block: "nearest" });
  }
  function move(from, step) {
    var all = segments();
    var at = all.indexOf(from);
    focusSegment(all[Math.min(all.length - 1, Math.max(0, at + step))] || all[0]);
  }
  function segmentOf(node) { return node && node.closest ? node.closest("li.segment") : null; }
  function open(li) {
    var details = li.querySelector("details.editor");
    details.open = true;
    var area = li.querySelector("textarea");
    area.dataset.original = area.dataset.original || area.value;
    area.focus();
  }
  function close(li, restore) {
    var details = li.querySelector("details.editor");
    var area = li.querySelector("textarea");
    if (restore && area.dataset.original !== undefined) { area.value = area.dataset.original; }
    li.querySelector(".conflict").hidden = true;
    details.open = false;
    focusSegment(li);
  }
  function message(li, text, bad) {
    var p = li.querySelector(".seg-message");
    p.textContent = text;
    p.classList.toggle("flash-error", !!bad);
  }
  function applySaved(li, data) {
    var seg = data.segment;
    li.dataset.version = String(seg.version);
    li.querySelector('input[name="version"]').value = String(seg.version);
    li.querySelector(".target").innerHTML = seg.target_html;  // sanitised by the server
    var area = li.querySelector("textarea");
    area.value = seg.target_html;
    area.dataset.original = seg.target_html;
    li.className = li.className.replace(/origin-\w+/, "origin-" + seg.origin);
    li.querySelector(".origin-label").textContent = seg.origin_label;
    li.querySelector(".seg-version").textContent = li.querySelector(".seg-version").textContent.replace(/\d+/, String(seg.version));
    var flags = li.querySelector("ul.flags");
    flags.textContent = "";
    seg.flags.concat(data.warnings).forEach(function (f) {
      var item = document.createElement("li");
      item.dataset.flag = f.flag.split(":")[0];
      item.textContent = f.text;
      flags.appendChild(item);
    });
    li.classList.toggle("flagged", seg.flags.length > 0);
    var status = document.getElementById("edition-status");
    if (status) { status.textContent = data.edition.status_label; status.className = "status status-" + data.edition.status; }
    var notice = document.getElementById("publication-notice");
    if (notice) {
      notice.textContent = data.edition.notice;
      notice.className = "notice " + (data.edition.published ? "notice-live" : "notice-held");
    }
  }
  function save(li) {
    var area = li.querySelector("textarea");
    var endpoint = list.getAttribute("data-endpoint") + li.dataset.index;
    message(li, say("saving"), false);
    return fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify({
        target_html: area.value,
        version: parseInt(li.dataset.version, 10),
        revision: parseInt(list.getAttribute("data-revision"), 10)
      })
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (answer) {
      if (answer.status === 200) {
        applySaved(li, answer.data);
        li.querySelector(".conflict").hidden = true;
        li.querySelector("details.editor").open = false;
        message(li, answer.data.message, false);
        focusSegment(li);
        return;
      }
      var error = (answer.data && answer.data.error) || {};
      message(li, error.message || say("failed"), true);
      if (answer.status === 409 && typeof error.current_version === "number") {
        var box = li.querySelector(".conflict");
        box.hidden = false;
        box.querySelector(".conflict-text").innerHTML = error.current_html || "";
        box.dataset.version = String(error.current_version);
        box.dataset.html = error.current_html || "";
      }
    }).catch(function () { message(li, say("failed"), true); });
  }

  list.addEventListener("submit", function (event) {
    var li = segmentOf(event.target);
    if (!li) { return; }
    event.preventDefault();
    save(li);
  });
  list.addEventListener("click", function (event) {
    var li = segmentOf(event.target);
    if (!li) { return; }
    var box = li.querySelector(".conflict");
    if (event.target.classList.contains("cancel")) { close(li, true); }
    if (event.target.classList.contains("reapply")) {
      li.dataset.version = box.dataset.version;  // re-apply my text on top of theirs
      save(li);
    }
    if (event.target.classList.contains("take-theirs")) {
      li.dataset.version = box.dataset.version;
      li.querySelector(".target").innerHTML = box.dataset.html;
      li.querySelector("textarea").value = box.dataset.html;
      li.querySelector("textarea").dataset.original = box.dataset.html;
      li.querySelector('input[name="version"]').value = box.dataset.version;
      close(li, false);
    }
  });
  document.addEventListener("keydown", function (event) {
    var inEditor = event.target && event.target.tagName === "TEXTAREA" && segmentOf(event.target);
    if (inEditor) {
      var li = segmentOf(event.target);
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); save(li); }
      else if (event.key === "Escape") { event.preventDefault(); close(li, true); }
      else if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        event.preventDefault(); move(li, event.key === "ArrowDown" ? 1 : -1);
      }
      return;
    }
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    var current = segmentOf(document.activeElement) || list.querySelector("li.segment.current");
    var down = event.key === "j" || (event.altKey && event.key === "ArrowDown");
    var up = event.key === "k" || (event.altKey && event.key === "ArrowUp");
    if (down || up) {
      event.preventDefault();
      if (!current) { focusSegment(segments()[0]); } else { move(current, down ? 1 : -1); }
    } else if (event.key === "Enter" && current && document.activeElement === current) {
      event.preventDefault();
      open(current);
    }
  });
  list.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.classList || !details.classList.contains("editor") || !details.open) { return; }
    var area = details.querySelector("textarea");
    if (area.dataset.original === undefined) { area.dataset.original = area.value; }
    if (document.activeElement !== area) { area.focus(); }
  }, true);  // toggle does not bubble: listen while it is captured
  list.addEventListener("focusin", function (event) {
    var li = segmentOf(event.target);
    if (li) { segments().forEach(function (s) { s.classList.toggle("current", s === li); }); }
  });
})();
