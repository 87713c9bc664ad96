/* Placing a form's fields on its pages (admin: 申請書の欄を置く).
 *
 * The page is a form of plain inputs (one fieldset per printed field: value, page, x, y in mm
 * from the top-left corner, width, size, or a fillable field's name) that works without this
 * script. This script draws each field as a box on the page images and keeps the boxes and the
 * inputs in step: a click on a page places a new field there (the value chosen in "クリックで置く値"),
 * a box is dragged to move it, its corner handle changes its width (sideways) and its text size
 * (up and down), × deletes it; a focused box moves with the arrow keys (Shift: 5 mm) and is
 * deleted with Delete. A fillable field of the PDF (dashed) is filled by clicking it.
 * No inline script or style: positions are set through the CSSOM, which the CSP allows.
 */
(function () {
  "use strict";

  var PT_MM = 25.4 / 72;
  var DEFAULT_SIZE = 10.5;
  var MIN_SIZE = 6;
  var MAX_SIZE = 72;
  var NEW_WIDTH = 40; // mm, a new field's width
  var editor = document.getElementById("oky-form-editor");
  if (!editor) {
    return;
  }
  var list = editor.querySelector(".oky-placements");
  var template = document.getElementById("oky-placement-template");
  var total = editor.querySelector('input[name="fields-TOTAL_FORMS"]');
  var next = document.getElementById("oky-next-value");
  var pages = Array.prototype.slice.call(editor.querySelectorAll(".oky-page"));
  var selected = null; // the fieldset of the selected field
  next.parentNode.hidden = false;

  function rows() {
    return Array.prototype.slice.call(list.querySelectorAll(".oky-placement"));
  }

  function input(row, name) {
    return row.querySelector('[name$="-' + name + '"]');
  }

  function number(row, name) {
    var value = parseFloat(input(row, name).value);
    return isFinite(value) ? value : null;
  }

  function setNumber(row, name, value) {
    input(row, name).value = value === null ? "" : String(Math.round(value * 10) / 10);
  }

  function deleted(row) {
    var box = input(row, "DELETE");
    return box !== null && box.checked;
  }

  function empty(row) {
    return !input(row, "value").value && !input(row, "page").value;
  }

  function pageOf(number_) {
    return pages.filter(function (page) {
      return Number(page.dataset.page) === number_;
    })[0];
  }

  function label(row) {
    var select = input(row, "value");
    var option = select.options[select.selectedIndex];
    return option && option.value ? option.text : "（値なし）";
  }

  function rowNumber(row) {
    return rows().indexOf(row) + 1;
  }

  /* --- Rows -------------------------------------------------------------------------------- */

  function addRow(values) {
    var row = rows().filter(function (candidate) {
      return empty(candidate) && !deleted(candidate);
    })[0];
    if (!row) {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      list.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      row = list.lastElementChild;
    }
    Object.keys(values).forEach(function (name) {
      input(row, name).value = values[name] === null ? "" : String(values[name]);
    });
    select(row);
    draw();
    return row;
  }

  function remove(row) {
    var box = input(row, "DELETE");
    box.checked = true;
    row.classList.add("oky-placement--deleted");
    if (selected === row) {
      selected = null;
    }
    draw();
  }

  function select(row) {
    selected = row;
    rows().forEach(function (each) {
      each.classList.toggle("oky-placement--selected", each === row);
    });
  }

  /* --- Boxes ------------------------------------------------------------------------------- */

  function fillables(page) {
    return Array.prototype.slice.call(page.querySelectorAll(".oky-fillable li"));
  }

  function place(element, page, x, y, width, height) {
    var pageWidth = Number(page.dataset.width);
    var pageHeight = Number(page.dataset.height);
    element.style.left = (x / pageWidth) * 100 + "%";
    element.style.top = (y / pageHeight) * 100 + "%";
    element.style.width = (Math.max(width, 1) / pageWidth) * 100 + "%";
    element.style.height = (Math.max(height, 1) / pageHeight) * 100 + "%";
  }

  function geometry(row, page) {
    var name = input(row, "acroform").value;
    if (name) {
      var field = fillables(page).filter(function (item) {
        return item.dataset.acroform === name;
      })[0];
      if (!field) {
        return null;
      }
      return {
        x: Number(field.dataset.x), y: Number(field.dataset.y),
        width: Number(field.dataset.w), height: Number(field.dataset.h), fixed: true,
      };
    }
    var x = number(row, "x");
    var y = number(row, "y");
    if (x === null || y === null) {
      return null;
    }
    var width = number(row, "width");
    var size = number(row, "size") || DEFAULT_SIZE;
    var pageWidth = Number(page.dataset.width);
    return {
      x: x, y: y, width: width === null ? Math.min(NEW_WIDTH, pageWidth - x) : width,
      height: size * PT_MM, open: width === null, fixed: false,
    };
  }

  function draw() {
    pages.forEach(function (page) {
      var sheet = page.querySelector(".oky-page__sheet");
      Array.prototype.slice.call(sheet.querySelectorAll(".oky-box")).forEach(function (box) {
        box.remove();
      });
      var used = {};
      rows().forEach(function (row) {
        if (deleted(row) || Number(input(row, "page").value) !== Number(page.dataset.page)) {
          return;
        }
        var where = geometry(row, page);
        if (where === null) {
          return;
        }
        if (where.fixed) {
          used[input(row, "acroform").value] = true;
        }
        sheet.appendChild(box(row, page, where));
      });
      fillables(page).forEach(function (item) {
        if (!used[item.dataset.acroform]) {
          sheet.appendChild(fillableBox(item, page));
        }
      });
    });
  }

  function box(row, page, where) {
    var element = document.createElement("div");
    element.className = "oky-box" + (where.fixed ? " oky-box--acroform" : "") + (where.open ? " oky-box--open" : "");
    if (row === selected) {
      element.className += " oky-box--selected";
    }
    element.tabIndex = 0;
    element.setAttribute("role", "button");
    var position = where.fixed ? "入力欄 " + input(row, "acroform").value
      : "左" + number(row, "x") + "mm 上" + number(row, "y") + "mm";
    element.setAttribute("aria-label", "欄" + rowNumber(row) + "：" + label(row) + "（" + position + "）。矢印キーで移動、Deleteで削除");
    place(element, page, where.x, where.y, where.width, where.height);
    var text = document.createElement("span");
    text.className = "oky-box__label";
    text.textContent = rowNumber(row) + " " + label(row);
    element.appendChild(text);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "oky-box__delete";
    close.textContent = "×";
    close.setAttribute("aria-label", "欄" + rowNumber(row) + "を削除");
    close.addEventListener("click", function (event) {
      event.stopPropagation();
      remove(row);
    });
    element.appendChild(close);
    element.addEventListener("focus", function () {
      select(row);
      row.scrollIntoView({ block: "nearest" });
    });
    element.addEventListener("keydown", function (event) {
      keys(event, row);
    });
    if (!where.fixed) {
      var handle = document.createElement("span");
      handle.className = "oky-box__handle";
      handle.setAttribute("aria-hidden", "true");
      element.appendChild(handle);
      handle.addEventListener("pointerdown", function (event) {
        drag(event, row, page, "resize");
      });
      element.addEventListener("pointerdown", function (event) {
        if (event.target === element || event.target === text) {
          drag(event, row, page, "move");
        }
      });
    }
    element.addEventListener("click", function (event) {
      event.stopPropagation();
    });
    return element;
  }

  function fillableBox(item, page) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "oky-box oky-box--fillable";
    element.textContent = item.dataset.acroform;
    element.setAttribute("aria-label", "PDFの入力欄「" + item.dataset.acroform + "」に、選んだ値を入れる");
    place(element, page, Number(item.dataset.x), Number(item.dataset.y), Number(item.dataset.w), Number(item.dataset.h));
    element.addEventListener("click", function (event) {
      event.stopPropagation();
      addRow({ value: next.value, page: page.dataset.page, x: null, y: null, width: null, size: null,
        acroform: item.dataset.acroform });
    });
    return element;
  }

  /* --- Mouse and keys ---------------------------------------------------------------------- */

  function millimetres(page, event) {
    var rect = page.querySelector(".oky-page__sheet").getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) / rect.width) * Number(page.dataset.width),
      y: ((event.clientY - rect.top) / rect.height) * Number(page.dataset.height),
      perPixel: Number(page.dataset.width) / rect.width,
    };
  }

  function drag(event, row, page, mode) {
    event.preventDefault();
    event.stopPropagation();
    select(row);
    var start = millimetres(page, event);
    var origin = geometry(row, page);
    var size = number(row, "size") || DEFAULT_SIZE;
    var target = event.target;
    target.setPointerCapture(event.pointerId);
    var moved = false;
    function move(moveEvent) {
      var now = millimetres(page, moveEvent);
      var dx = now.x - start.x;
      var dy = now.y - start.y;
      moved = true;
      if (mode === "move") {
        setNumber(row, "x", Math.max(0, origin.x + dx));
        setNumber(row, "y", Math.max(0, origin.y + dy));
      } else {
        setNumber(row, "width", Math.max(2, origin.width + dx));
        var height = Math.max(MIN_SIZE * PT_MM, size * PT_MM + dy);
        setNumber(row, "size", Math.min(MAX_SIZE, Math.max(MIN_SIZE, height / PT_MM)));
      }
      var element = target.classList.contains("oky-box") ? target : target.parentNode;
      var where = geometry(row, page);
      place(element, page, where.x, where.y, where.width, where.height);
    }
    function end() {
      target.removeEventListener("pointermove", move);
      target.removeEventListener("pointerup", end);
      target.removeEventListener("pointercancel", end);
      if (moved) {
        draw();
      }
    }
    target.addEventListener("pointermove", move);
    target.addEventListener("pointerup", end);
    target.addEventListener("pointercancel", end);
  }

  function keys(event, row) {
    var step = event.shiftKey ? 5 : 0.5;
    var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      remove(row);
      return;
    }
    if (!moves[event.key] || input(row, "acroform").value) {
      return;
    }
    event.preventDefault();
    setNumber(row, "x", Math.max(0, number(row, "x") + moves[event.key][0]));
    setNumber(row, "y", Math.max(0, number(row, "y") + moves[event.key][1]));
    var index = rows().indexOf(row);
    draw();
    focusBox(index);
  }

  function focusBox(index) {
    var label_ = "欄" + (index + 1) + "：";
    var found = Array.prototype.slice.call(editor.querySelectorAll(".oky-box[tabindex]")).filter(function (element) {
      return (element.getAttribute("aria-label") || "").indexOf(label_) === 0;
    })[0];
    if (found) {
      found.focus();
    }
  }

  pages.forEach(function (page) {
    page.querySelector(".oky-page__sheet").addEventListener("click", function (event) {
      if (event.target.closest(".oky-box")) {
        return;
      }
      var at = millimetres(page, event);
      var width = Math.min(NEW_WIDTH, Number(page.dataset.width) - at.x);
      addRow({ value: next.value, page: page.dataset.page, x: Math.round(at.x * 10) / 10,
        y: Math.round(at.y * 10) / 10, width: Math.round(width * 10) / 10, size: null, acroform: "" });
    });
  });

  list.addEventListener("input", draw);
  list.addEventListener("change", function (event) {
    var row = event.target.closest(".oky-placement");
    if (row && event.target.name && /-DELETE$/.test(event.target.name)) {
      row.classList.toggle("oky-placement--deleted", event.target.checked);
    }
    draw();
  });
  list.addEventListener("focusin", function (event) {
    var row = event.target.closest(".oky-placement");
    if (row && row !== selected) {
      select(row);
      draw();
    }
  });
  Array.prototype.slice.call(editor.querySelectorAll(".oky-page__image")).forEach(function (image) {
    image.draggable = false;
  });
  var focusFirst = document.querySelector("[data-autofocus]");
  if (focusFirst) {
    focusFirst.focus();
  }
  draw();
})();
