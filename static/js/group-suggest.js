// The incident list's "Perpetrator group" field as a combobox (WAI-ARIA 1.2, list
// autocomplete): as the reader types, up to ten published groups whose name, acronym
// or alias matches come from the field's data-suggest URL. Down and Up move through
// them, Enter or a click chooses one, Escape closes the list; the field then holds
// the group's slug, which ?group= takes, and its description names the group. A
// status message tells screen readers how many groups were found. Loaded with
// <script src> (the CSP allows no inline script); without it the field is a text box
// whose name, acronym or slug the server resolves.
"use strict";

(function () {
  const input = document.querySelector("input[data-suggest]");
  if (!input || !window.fetch) {
    return;
  }
  const url = input.dataset.suggest;
  // The page gives the script its words in the page's language (data-text-*), with
  // %(name)s where a value goes.
  function text(name, values) {
    const key = "text" + name.charAt(0).toUpperCase() + name.slice(1);
    return (input.dataset[key] || "").replace(/%\((\w+)\)s/g, function (_m, k) {
      return values && k in values ? String(values[k]) : "";
    });
  }
  const help = document.getElementById(input.id + "_helptext");
  const label = document.querySelector("label[for='" + input.id + "']");
  const field = input.parentElement;
  field.classList.add("combobox");

  const listbox = document.createElement("ul");
  listbox.id = input.id + "-suggestions";
  listbox.className = "suggestions";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", text("suggestions", { field: label ? label.textContent : "" }));
  listbox.hidden = true;
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  input.after(listbox);
  field.append(status);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);

  const found = new Map(); // text -> groups, so retyping asks no one
  let groups = [];
  let active = -1;
  let timer = null;
  let pending = null;

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const options = listbox.children;
    if (active >= 0 && options[active]) {
      options[active].setAttribute("aria-selected", "false");
    }
    active = index;
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    options[index].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", options[index].id);
    options[index].scrollIntoView({ block: "nearest" });
  }

  function show(list) {
    groups = list;
    listbox.replaceChildren(
      ...list.map(function (group, index) {
        const option = document.createElement("li");
        option.id = listbox.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.index = String(index);
        option.textContent = group.label; // text, never markup
        return option;
      })
    );
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (list.length) {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = text(list.length === 1 ? "foundOne" : "foundOther", {
        num: list.length,
      });
    } else {
      close();
      status.textContent = text("none");
    }
  }

  function choose(index) {
    const group = groups[index];
    if (!group) {
      return;
    }
    input.value = group.slug;
    if (help) {
      help.textContent = text("chosen", { group: group.label });
    }
    status.textContent = "";
    close();
  }

  function suggest() {
    const text = input.value.trim();
    if (!text) {
      close();
      status.textContent = "";
      return;
    }
    if (found.has(text)) {
      show(found.get(text));
      return;
    }
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    fetch(url + "?" + new URLSearchParams({ q: text }), {
      headers: { Accept: "application/json" },
      signal: pending.signal,
    })
      .then(function (response) {
        return response.ok ? response.json() : { groups: [] };
      })
      .then(function (data) {
        found.set(text, data.groups);
        if (input.value.trim() === text && document.activeElement === input) {
          show(data.groups);
        }
      })
      .catch(function () {
        // Aborted by a newer request, or offline: the field still works as text.
      });
  }

  input.addEventListener("input", function () {
    if (help && input.dataset.help) {
      help.textContent = input.dataset.help;
    }
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });

  input.addEventListener("keydown", function (event) {
    const open = !listbox.hidden;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!open) {
          suggest();
        } else {
          highlight(active < groups.length - 1 ? active + 1 : 0);
        }
        break;
      case "ArrowUp":
        if (open) {
          event.preventDefault();
          highlight(active > 0 ? active - 1 : groups.length - 1);
        }
        break;
      case "Enter":
        // Enter on a highlighted suggestion chooses it; otherwise it submits the form.
        if (open && active >= 0) {
          event.preventDefault();
          choose(active);
        }
        break;
      case "Escape":
        if (open) {
          event.preventDefault();
          close();
        }
        break;
      case "Tab":
        close();
        break;
      default:
        break;
    }
  });

  // A press on a suggestion keeps the focus in the field; the click chooses it.
  listbox.addEventListener("mousedown", function (event) {
    event.preventDefault();
  });
  listbox.addEventListener("click", function (event) {
    const option = event.target.closest("[role='option']");
    if (option) {
      choose(Number(option.dataset.index));
    }
  });
  input.addEventListener("blur", close);
})();
