// Copy buttons: <button data-copy="#id"> copies the value of the element #id;
// a range slider shows its value, while it is dragged, in its
// <output for="id">. The only script of the admin UI; everything works
// without it.
document.addEventListener("click", function (e) {
  var b = e.target.closest("button[data-copy]");
  if (!b) return;
  var el = document.querySelector(b.getAttribute("data-copy"));
  if (!el || !navigator.clipboard) return;
  navigator.clipboard.writeText(el.value || el.textContent).then(function () {
    b.textContent = "Copied";
    setTimeout(function () { b.textContent = "Copy"; }, 1500);
  });
});

document.addEventListener("input", function (e) {
  var r = e.target;
  if (r.type !== "range" || !r.id) return;
  var o = document.querySelector('output[for="' + r.id + '"]');
  if (o) o.textContent = r.value;
});
