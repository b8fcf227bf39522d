// The respondent's questionnaire (and staff-assisted entry): loads <surveyBase>/survey.json, renders it with
// SurveyJS (Contrast Light theme, Dutch by default, English on request), saves progress on every answer and
// page change (retrying with backoff while the connection is down) and completes exactly once.
// Plain browser JavaScript, loaded after survey.core, dutch, contrast-light and survey-js-ui (all deferred).
(function () {
  "use strict";

  var root = document.getElementById("lp-survey");
  if (!root) return;
  var Survey = window.Survey;
  var SurveyUI = window.SurveyUI;
  var base = root.getAttribute("data-survey-base");
  var csrf = root.getAttribute("data-csrf-token");
  var area = document.getElementById("lp-respondent");
  var statusLine = document.getElementById("lp-save-status");
  var errorBox = document.getElementById("lp-errors");
  var titleEl = document.getElementById("lp-survey-title");
  var descriptionEl = document.getElementById("lp-survey-description");
  var switcher = document.getElementById("lp-language");
  var staffDone = document.getElementById("lp-staff-done");

  var TEXT = {
    nl: {
      saved: "Uw antwoorden zijn bewaard",
      offline: "Niet bewaard — controleer uw internetverbinding; we proberen het opnieuw",
      sending: "Uw antwoorden worden verstuurd…",
      notSent: "Niet verstuurd — controleer uw internetverbinding; we proberen het opnieuw",
      sent: "Uw antwoorden zijn verstuurd. Dank u wel!",
      invalid: "Niet bewaard. Deze antwoorden passen niet bij de vragenlijst:",
      expired: "Deze pagina is verlopen. Laad de pagina opnieuw; uw bewaarde antwoorden blijven staan.",
      loadFailed: "De vragenlijst kon niet worden geladen. Controleer uw internetverbinding en laad de pagina opnieuw.",
    },
    en: {
      saved: "Your answers have been saved",
      offline: "Not saved — please check your internet connection; we will try again",
      sending: "Sending your answers…",
      notSent: "Not sent — please check your internet connection; we will try again",
      sent: "Your answers have been sent. Thank you!",
      invalid: "Not saved. These answers do not fit the questionnaire:",
      expired: "This page has expired. Please reload the page; your saved answers will still be there.",
      loadFailed: "The questionnaire could not be loaded. Please check your internet connection and reload the page.",
    },
  };

  // Plain-language Dutch for the built-in texts that are machine-translated or stiff.
  var DUTCH = {
    requiredError: "Beantwoord deze vraag.",
    requiredErrorInPanel: "Beantwoord ten minste één vraag.",
    loadingSurvey: "De vragenlijst wordt geladen…",
    savingData: "Uw antwoorden worden verstuurd…",
    savingDataError: "Uw antwoorden zijn nog niet verstuurd. We proberen het opnieuw.",
    savingDataSuccess: "Uw antwoorden zijn verstuurd.",
    completingSurvey: "Hartelijk dank voor het invullen!",
    completingSurveyBefore: "U heeft deze vragenlijst al ingevuld. Dank u wel!",
    textMaxLength: "Gebruik niet meer dan {0} tekens.",
    textMinLength: "Vul minstens {0} tekens in.",
    minSelectError: "Kies minstens {0} antwoorden.",
    maxSelectError: "Kies niet meer dan {0} antwoorden.",
    minError: "Het getal mag niet kleiner zijn dan {0}.",
    maxError: "Het getal mag niet groter zijn dan {0}.",
    numericError: "Vul een getal in.",
    placeholder: "Kies…",
    ratingOptionsCaption: "Kies…",
    otherItemText: "Anders, namelijk:",
    refuseItemText: "Dat zeg ik liever niet",
    selectAllItemText: "Alles kiezen",
    clearCaption: "Wissen",
  };

  var locale = "nl";
  var survey;
  var focusPageTitle = false;
  var closed = false;

  function text(key) {
    return TEXT[locale][key];
  }

  function setStatus(message, kind) {
    statusLine.textContent = message || "";
    statusLine.className = "utrecht-paragraph lp-save-status" + (kind ? " lp-save-status--" + kind : "");
  }

  function showProblems(problems) {
    errorBox.textContent = "";
    var intro = document.createElement("p");
    intro.className = "utrecht-paragraph";
    intro.textContent = text("invalid");
    var list = document.createElement("ul");
    (problems || []).forEach(function (p) {
      var item = document.createElement("li");
      item.textContent = p.message;
      list.appendChild(item);
    });
    errorBox.appendChild(intro);
    errorBox.appendChild(list);
    errorBox.hidden = false;
  }

  function clearProblems() {
    errorBox.hidden = true;
    errorBox.textContent = "";
  }

  function post(path, body, keepalive) {
    return fetch(base + path, {
      method: "POST",
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(body),
    });
  }

  /** What a response means for the page: retry (network, server, rate limit), or a final outcome. */
  async function outcomeOf(res) {
    if (!res) return { kind: "retry" };
    if (res.ok) return { kind: "ok" };
    if (res.status === 422) {
      var problem = await res.json().catch(function () { return {}; });
      return { kind: "invalid", problems: problem.errors || [{ message: problem.detail || "" }] };
    }
    if (res.status === 409 || res.status === 404 || res.status === 410) return { kind: "closed" };
    if (res.status === 401 || res.status === 403) return { kind: "expired" };
    return { kind: "retry" };
  }

  /** Reloads the page: the server then shows the thank-you page or says why the link no longer works. */
  function showServerPage() {
    closed = true;
    window.location.reload();
  }

  // --- progress -------------------------------------------------------------------------------------------

  var timer = null;
  var inFlight = false;
  var pending = false;
  var retryDelay = 0;

  function snapshot() {
    return { answers: survey.data, currentPage: survey.currentPageNo, locale: locale };
  }

  function scheduleSave(delay) {
    if (closed || completing) return;
    pending = true;
    clearTimeout(timer);
    timer = setTimeout(flush, delay);
  }

  async function flush() {
    timer = null;
    if (inFlight || closed || completing || !pending) return;
    pending = false;
    inFlight = true;
    var res = null;
    try {
      res = await post("/progress", snapshot());
    } catch (err) {
      res = null;
    }
    var outcome = await outcomeOf(res);
    inFlight = false;
    if (outcome.kind === "ok") {
      retryDelay = 0;
      clearProblems();
      setStatus(text("saved"), "ok");
    } else if (outcome.kind === "retry") {
      pending = true;
      retryDelay = Math.min(Math.max(1000, retryDelay * 2), 30000);
      setStatus(text("offline"), "error");
      clearTimeout(timer);
      timer = setTimeout(flush, retryDelay);
      return;
    } else if (outcome.kind === "invalid") {
      setStatus("");
      showProblems(outcome.problems);
    } else if (outcome.kind === "expired") {
      setStatus(text("expired"), "error");
    } else {
      showServerPage();
      return;
    }
    if (pending && !timer) timer = setTimeout(flush, 0);
  }

  window.addEventListener("online", function () {
    if (pending) scheduleSave(0);
  });
  // Leaving the page with an unsaved change: one last try that survives the page closing.
  window.addEventListener("pagehide", function () {
    if (!pending || closed || completing || !survey) return;
    try {
      post("/progress", snapshot(), true).catch(function () {});
    } catch (err) {
      // nothing more can be done while the page closes
    }
  });

  // --- completion -----------------------------------------------------------------------------------------

  var completing = false;
  var confirmed = false;

  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  /** Sends the answers until the server has them; a double click or a retry never creates a second response. */
  async function complete() {
    completing = true;
    clearTimeout(timer);
    clearProblems();
    setStatus(text("sending"));
    var delay = 1000;
    for (;;) {
      var res = null;
      try {
        res = await post("/complete", { answers: survey.data, locale: locale });
      } catch (err) {
        res = null;
      }
      var outcome = await outcomeOf(res);
      if (outcome.kind === "ok") {
        confirmed = true;
        closed = true;
        survey.doComplete();
        switcher.hidden = true;
        descriptionEl.hidden = true;
        setStatus(text("sent"), "ok");
        if (staffDone) staffDone.hidden = false;
        titleEl.focus();
        return;
      }
      if (outcome.kind === "invalid") {
        completing = false;
        setStatus("");
        showProblems(outcome.problems);
        errorBox.focus();
        return;
      }
      if (outcome.kind === "expired") {
        completing = false;
        setStatus(text("expired"), "error");
        return;
      }
      if (outcome.kind === "closed") return showServerPage();
      setStatus(text("notSent"), "error");
      await wait(delay);
      delay = Math.min(delay * 2, 30000);
    }
  }

  // --- language -------------------------------------------------------------------------------------------

  /**
   * survey-js-ui writes lang="<survey.locale || 'en'>" on its root element, and survey.locale is "" for the
   * default locale (Dutch here): the Dutch questionnaire would be marked as English for screen readers.
   */
  function markLanguage() {
    Array.prototype.forEach.call(root.querySelectorAll("[lang]"), function (element) {
      element.setAttribute("lang", locale);
    });
  }

  function showTitle() {
    titleEl.textContent = survey.title || titleEl.textContent;
    descriptionEl.textContent = survey.description || "";
    descriptionEl.hidden = !survey.description;
  }

  function setLocale(next, save) {
    locale = next === "en" ? "en" : "nl";
    survey.locale = locale;
    area.setAttribute("lang", locale);
    Array.prototype.forEach.call(switcher.querySelectorAll("button[data-locale]"), function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-locale") === locale));
    });
    markLanguage();
    showTitle();
    if (statusLine.textContent) setStatus("");
    if (save) scheduleSave(0);
  }

  // --- start ----------------------------------------------------------------------------------------------

  /**
   * survey-js-ui writes its icon sprite into the page with innerHTML. One icon (the timer's circle, unused
   * here) has a style="" attribute, which the Content-Security-Policy (style-src 'self') blocks with a console
   * error. The attribute is dropped before the sprite is written, so the CSP needs no 'unsafe-inline'.
   */
  function withoutStyleAttributes(registry) {
    var icons = registry && registry.icons;
    if (!icons) return;
    Object.keys(icons).forEach(function (id) {
      if (/\sstyle="/.test(icons[id])) icons[id] = icons[id].replace(/\sstyle="[^"]*"/g, "");
    });
  }

  async function start() {
    if (!Survey || !SurveyUI) throw new Error("SurveyJS did not load");
    var res = await fetch(base + "/survey.json", { credentials: "same-origin", headers: { accept: "application/json" } });
    if (res.status === 409 || res.status === 404 || res.status === 410) return showServerPage();
    if (!res.ok) throw new Error("survey.json: " + res.status);
    var state = await res.json();

    Survey.surveyLocalization.defaultLocale = "nl";
    Object.assign(Survey.surveyLocalization.locales.nl, DUTCH);
    // Real headings: the page's h1 is the survey's title, pages are h2, questions h3.
    Survey.settings.titleTags = { survey: "h2", page: "h2", panel: "h3", question: "h3" };

    survey = new Survey.Model(state.definition);
    survey.applyTheme(window.SurveyTheme.ContrastLight);
    survey.showTitle = false;
    survey.showProgressBar = true;
    survey.progressBarLocation = "top";
    // Typed text is saved while typing (debounced below), not only when the field loses focus.
    survey.textUpdateMode = "onTyping";
    // Ratings stay buttons on every screen width: SurveyJS would turn a 1–10 scale into a drop-down.
    survey.getAllQuestions().forEach(function (q) {
      if (q.getType() !== "rating") return;
      q.displayMode = "buttons";
      // "Heel slecht" above the scale and "Uitstekend" below it: they stay clear when the buttons wrap.
      q.rateDescriptionLocation = "topBottom";
    });
    Object.keys(state.variables || {}).forEach(function (name) {
      survey.setVariable(name, state.variables[name]);
    });
    survey.data = state.answers || {};
    if (state.currentPage > 0 && state.currentPage < survey.visiblePageCount) survey.currentPageNo = state.currentPage;
    setLocale(state.locale, false);

    survey.onValueChanged.add(function () { scheduleSave(500); });
    survey.onCurrentPageChanged.add(function () {
      scheduleSave(0);
      focusPageTitle = true;
    });
    // After "Volgende" or "Vorige", keyboard and screen-reader users continue at the new page's title.
    survey.onAfterRenderPage.add(function (_sender, options) {
      if (!focusPageTitle) return;
      focusPageTitle = false;
      var title = options.htmlElement.querySelector(".sd-page__title");
      if (!title) return;
      title.setAttribute("tabindex", "-1");
      title.focus();
    });
    survey.onCompleting.add(function (_sender, options) {
      if (confirmed) return;
      options.allow = false;
      if (!completing) complete();
    });

    withoutStyleAttributes(Survey.SvgRegistry);
    switcher.hidden = false;
    switcher.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-locale]");
      if (button && !closed) setLocale(button.getAttribute("data-locale"), true);
    });
    survey.onAfterRenderSurvey.add(markLanguage);
    SurveyUI.renderSurvey(survey, root);
  }

  start().catch(function () {
    setStatus(TEXT.nl.loadFailed, "error");
  });
})();
