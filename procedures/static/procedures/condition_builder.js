/* The condition builder beside a condition field of the catalog admin (admin_widgets.ConditionWidget).
   It writes the common shapes (「〜が〜のとき」, 「〜歳以上」, joined by かつ/または) into the plain text
   field; without this script the field and the list of questions still work. Native controls
   only, so everything works from the keyboard. */
(function () {
  "use strict";

  // Each answer type's ways of comparing: the words shown, what the value is, the condition written.
  // Keyed by q.kind, the type's member name in procedures.rules.QuestionType (AGE for the age).
  var SHAPES = {
    YES_NO: [
      { label: "が「はい」のとき", value: null, write: function (k) { return k + " == true"; } },
      { label: "が「いいえ」のとき", value: null, write: function (k) { return k + " == false"; } }
    ],
    CHOICE: [
      { label: "が次のとき", value: "choice", write: function (k, v) { return k + ' == "' + v + '"'; } },
      { label: "が次以外のとき", value: "choice", write: function (k, v) { return k + ' != "' + v + '"'; } }
    ],
    MULTI: [
      { label: "に次を含むとき", value: "choice", write: function (k, v) { return '"' + v + '" in ' + k; } },
      { label: "に次を含まないとき", value: "choice", write: function (k, v) { return '"' + v + '" not in ' + k; } }
    ],
    NUMBER: [
      { label: "が次の数以上のとき", value: "number", write: function (k, v) { return k + " >= " + v; } },
      { label: "が次の数以下のとき", value: "number", write: function (k, v) { return k + " <= " + v; } },
      { label: "が次の数のとき", value: "number", write: function (k, v) { return k + " == " + v; } }
    ],
    DATE: [
      { label: "が次の日以降のとき", value: "date", write: function (k, v) { return k + ' >= "' + v + '"'; } },
      { label: "が次の日以前のとき", value: "date", write: function (k, v) { return k + ' <= "' + v + '"'; } }
    ],
    AGE: [
      { label: "が次の歳以上のとき", value: "number", write: function (k, v) { return k + " >= " + v; } },
      { label: "が次の歳未満のとき", value: "number", write: function (k, v) { return k + " < " + v; } }
    ]
  };
  var JOINS = [
    { value: "and", label: "今の条件に「かつ（and）」で足す" },
    { value: "or", label: "今の条件に「または（or）」で足す" },
    { value: "replace", label: "今の条件と置き換える" }
  ];

  function element(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (name) {
      if (name === "text") { node.textContent = props[name]; } else { node.setAttribute(name, props[name]); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function labelled(id, text, control) {
    return element("div", { class: "oky-builder-field" }, [element("label", { for: id, text: text }), control]);
  }

  function fill(select, options) {
    select.textContent = "";
    options.forEach(function (option) {
      select.appendChild(element("option", { value: option[0], text: option[1] }));
    });
  }

  // A condition with its strings and whatever is inside parentheses blanked out: the words left
  // are its top level. null when its parentheses do not balance.
  function topLevel(condition) {
    var text = condition.replace(/"[^"]*"|'[^']*'/g, '""');
    var level = 0;
    var top = "";
    for (var i = 0; i < text.length; i += 1) {
      var c = text[i];
      if (c === "(" || c === ")") {
        level += c === "(" ? 1 : -1;
        top += " ";
      } else {
        top += level === 0 ? c : " ";
      }
    }
    return level === 0 ? top : null;
  }

  // Joined with another connective, a condition is put in parentheses, so that the result reads
  // as written: 「(A または B) かつ C」, 「(A かつ B) または C」.
  function join(current, piece, how) {
    current = current.trim();
    if (how === "replace" || current === "" || current === "true") { return piece; }
    var other = how === "and" ? "or" : "and";
    var top = topLevel(current);
    if (top === null || new RegExp("(^|\\s)" + other + "(\\s|$)").test(top)) { current = "(" + current + ")"; }
    return current + " " + how + " " + piece;
  }

  function setUp(help) {
    var field = document.getElementById(help.dataset.conditionFor);
    var data = document.getElementById(help.dataset.questions);
    var builder = help.querySelector(".oky-builder");
    if (!field || !data || !builder) { return; }
    var questions = JSON.parse(data.textContent);
    var base = field.id + "-builder";
    var question = element("select", { id: base + "-question" });
    var shape = element("select", { id: base + "-shape" });
    var choice = element("select", { id: base + "-choice" });
    var number = element("input", { id: base + "-number", type: "number", min: "0", step: "1", inputmode: "numeric" });
    var day = element("input", { id: base + "-date", type: "date" });
    var how = element("select", { id: base + "-join" });
    var output = builder.querySelector("[data-part=output]");
    var write = builder.querySelector("[data-part=write]");
    var choiceField = labelled(choice.id, "値", choice);
    var numberField = labelled(number.id, "数", number);
    var dateField = labelled(day.id, "日付", day);
    var controls = builder.querySelector("[data-part=controls]");
    [labelled(question.id, "質問", question), labelled(shape.id, "条件", shape), choiceField, numberField,
      dateField, labelled(how.id, "書き込み方", how)].forEach(function (node) { controls.appendChild(node); });
    fill(question, questions.map(function (q) { return [q.key, q.text + "（" + q.key + "）"]; }));
    fill(how, JOINS.map(function (j) { return [j.value, j.label]; }));

    function current() {
      var q = questions.find(function (item) { return item.key === question.value; });
      return { question: q, shape: SHAPES[q.kind][Number(shape.value) || 0] };
    }

    function piece() {
      var now = current();
      var kind = now.shape.value;
      var value = null;
      if (kind === "choice") { value = choice.value; }
      if (kind === "number") {
        if (!/^[0-9]+$/.test(number.value.trim())) { return { error: "＊0以上の整数を入力してください。" }; }
        value = String(Number(number.value.trim()));
      }
      if (kind === "date") {
        if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(day.value)) { return { error: "＊日付を入力してください。" }; }
        value = day.value;
      }
      return { text: now.shape.write(now.question.key, value) };
    }

    function show() {
      var made = piece();
      output.textContent = made.error ? made.error : "書き込む条件: " + join(field.value, made.text, how.value);
    }

    function chooseQuestion() {
      var q = current().question;
      fill(shape, SHAPES[q.kind].map(function (s, index) { return [String(index), s.label]; }));
      fill(choice, q.choices.map(function (c) { return [c.value, c.label + "（" + c.value + "）"]; }));
      chooseShape();
    }

    function chooseShape() {
      var kind = current().shape.value;
      choiceField.hidden = kind !== "choice";
      numberField.hidden = kind !== "number";
      dateField.hidden = kind !== "date";
      show();
    }

    question.addEventListener("change", chooseQuestion);
    shape.addEventListener("change", chooseShape);
    [choice, number, day, how].forEach(function (control) {
      control.addEventListener("input", show);
      control.addEventListener("change", show);
    });
    field.addEventListener("input", show);
    write.addEventListener("click", function () {
      var made = piece();
      if (made.error) { output.textContent = made.error; return; }
      field.value = join(field.value, made.text, how.value);
      field.dispatchEvent(new Event("input", { bubbles: true }));
      output.textContent = "書き込みました。今の条件: " + field.value;
    });
    chooseQuestion();
    builder.hidden = false;
  }

  function start() {
    document.querySelectorAll(".oky-condition-help[data-condition-for]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
