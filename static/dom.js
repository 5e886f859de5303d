// Building elements without innerHTML: every value from the API goes in as
// text, so nothing it contains can become markup.

/** el("p", { class: "muted", onclick: f }, "text", child) */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat().filter((child) => child != null && child !== false));
  return node;
}

export const byId = (id) => document.getElementById(id);

/** Sets an element's text and returns it. */
export function text(node, value) {
  node.textContent = value;
  return node;
}
