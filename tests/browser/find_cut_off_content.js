// Lists elements that stick out of the viewport sideways, or that an overflow:hidden box
// clips. Bootstrap's visually-hidden text (1 px, clipped on purpose) is left out, with
// what it holds (a clinic's name in <bdi> inside a link's hidden words).
() => {
  const width = document.documentElement.clientWidth;
  const cut = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (el.closest('.visually-hidden, .visually-hidden-focusable:not(:focus)')) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 && box.height <= 1) continue;
    if (box.right > width + 1 || box.left < -1) {
      cut.push(`${name(el)} spans ${Math.round(box.left)}..${Math.round(box.right)}px of ${width}px`);
    }
    const clipsX = ['hidden', 'clip'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
    const clipsY = ['hidden', 'clip'].includes(style.overflowY) && el.scrollHeight > el.clientHeight + 1;
    if (clipsX || clipsY) cut.push(`${name(el)} hides part of its content`);
  }
  return cut;
}
