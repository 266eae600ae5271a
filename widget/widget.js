/*
 * Chat widget of the spinal fusion FAQ assistant. Embed it with one tag:
 *   <script src="https://ASSISTANT/webhooks/widget/static/widget.js" defer
 *           data-title="..." data-accent="#0a58a0" data-open="false" data-lang="en"></script>
 * data-server-url overrides where the assistant is (default: where this file came from).
 * Everything a user or the bot says is rendered as text: nothing becomes HTML.
 */
(() => {
  "use strict";

  const MAX_MESSAGE_CHARS = 1000; // the channel refuses longer ones (extensions/channels/message_limits.py)
  const MAX_STORED_MESSAGES = 200;
  const REQUEST_TIMEOUT_MS = 45000;
  const SESSION_START = "/session_start";
  const FEEDBACK_PAYLOAD = "/feedback{"; // actions/feedback.py

  const STRINGS = {
    en: {
      title: "Spinal fusion questions",
      open: "Open chat",
      close: "Close chat",
      newConversation: "New conversation",
      conversation: "Conversation",
      yourMessage: "Your message",
      placeholder: "Type your question…",
      send: "Send",
      you: "You:",
      assistant: "Assistant:",
      typing: "The assistant is typing…",
      suggestions: "Suggested questions",
      newTab: "Opens in a new tab",
      unreachable: "The assistant can't be reached right now. Your message is kept.",
      wait: "Please wait a moment before sending again. Your message is kept.",
      retry: "Retry",
      notSent: "Not sent",
      refused: "Not sent: the assistant could not accept this message."
    },
    es: {
      title: "Preguntas sobre la fusión espinal",
      open: "Abrir el chat",
      close: "Cerrar el chat",
      newConversation: "Nueva conversación",
      conversation: "Conversación",
      yourMessage: "Su mensaje",
      placeholder: "Escriba su pregunta…",
      send: "Enviar",
      you: "Usted:",
      assistant: "Asistente:",
      typing: "El asistente está escribiendo…",
      suggestions: "Preguntas sugeridas",
      newTab: "Se abre en una pestaña nueva",
      unreachable: "No se puede contactar con el asistente ahora. Su mensaje se conserva.",
      wait: "Espere un momento antes de volver a enviar. Su mensaje se conserva.",
      retry: "Reintentar",
      notSent: "No enviado",
      refused: "No enviado: el asistente no pudo aceptar este mensaje."
    }
  };

  const script = document.currentScript;
  if (!script || document.querySelector(".sfw-root")) {
    return;
  }
  const options = script.dataset;
  const scriptUrl = new URL(script.src, document.baseURI);
  const channelUrl = options.serverUrl
    ? new URL("webhooks/widget/", options.serverUrl.replace(/\/*$/, "/"))
    : new URL("../", scriptUrl);
  const webhookUrl = new URL("webhook", channelUrl).href;
  const storageKey = "spine-fusion-widget:" + webhookUrl;
  const requestedLang = (options.lang || "").slice(0, 2).toLowerCase();
  const lang = STRINGS[requestedLang] ? requestedLang : "en";
  const t = STRINGS[lang];
  const title = options.title || t.title;

  const nodes = new Map(); // each shown message -> its element in the log
  let state = loadState();
  let busy = false;
  let ui;

  /* Storage: the conversation id and the transcript survive a reload. */

  function newSenderId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function validButtons(buttons) {
    return (Array.isArray(buttons) ? buttons : [])
      .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
      .map((b) => ({ title: b.title, payload: b.payload }));
  }

  function restoreMessage(saved) {
    if (!saved || (saved.from !== "user" && saved.from !== "bot") || typeof saved.text !== "string") {
      return null;
    }
    const message = { from: saved.from, text: saved.text, buttons: validButtons(saved.buttons) };
    if (saved.from === "user") {
      message.send = typeof saved.send === "string" ? saved.send : saved.text;
      message.hidden = saved.hidden === true;
      // A reload during a request cannot know whether it arrived: the user may retry it.
      const pending = saved.state === "queued" || saved.state === "failed";
      message.state = pending ? "failed" : saved.state === "refused" ? "refused" : undefined;
    }
    return message;
  }

  function loadState() {
    try {
      const saved = JSON.parse(localStorage.getItem(storageKey));
      if (saved && typeof saved.sender === "string" && Array.isArray(saved.messages)) {
        return { sender: saved.sender, messages: saved.messages.map(restoreMessage).filter(Boolean) };
      }
    } catch (error) {
      // Storage blocked or corrupt: start afresh.
    }
    return { sender: newSenderId(), messages: [] };
  }

  function saveState() {
    try {
      const messages = state.messages.slice(-MAX_STORED_MESSAGES);
      localStorage.setItem(storageKey, JSON.stringify({ sender: state.sender, messages }));
    } catch (error) {
      // Without storage the conversation still works; it just won't survive a reload.
    }
  }

  /* Colour: a custom accent keeps readable text on it (WCAG AA, 4.5:1). */

  function parseHexColour(value) {
    const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value || "");
    if (!match) {
      return null;
    }
    const hex = match[1].length === 3 ? match[1].replace(/./g, "$&$&") : match[1];
    return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  }

  function luminance(rgb) {
    const [r, g, b] = rgb.map((channel) => {
      const c = channel / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  function applyAccent(root) {
    const rgb = parseHexColour(options.accent);
    if (!rgb) {
      return;
    }
    const contrastWithWhite = 1.05 / (luminance(rgb) + 0.05);
    // CSSOM custom properties: allowed under a Content-Security-Policy without 'unsafe-inline'.
    root.style.setProperty("--sfw-accent", "rgb(" + rgb.join(", ") + ")");
    root.style.setProperty("--sfw-on-accent", contrastWithWhite >= 4.5 ? "#ffffff" : "#000000");
  }

  /* Building the interface, with createElement and textContent only. */

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function icon(path) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const shape = document.createElementNS(ns, "path");
    shape.setAttribute("d", path);
    svg.append(shape);
    return svg;
  }

  function button(className, text) {
    const node = element("button", className, text);
    node.type = "button";
    return node;
  }

  function buildInterface() {
    const root = element("div", "sfw-root");
    root.lang = lang;
    root.hidden = true; // until its stylesheet has loaded
    applyAccent(root);

    const launcher = button("sfw-launcher");
    launcher.setAttribute("aria-label", t.open + ": " + title);
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "sfw-panel");
    launcher.append(
      icon("M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z")
    );

    const panel = element("section", "sfw-panel");
    panel.id = "sfw-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-labelledby", "sfw-title");

    const header = element("header", "sfw-header");
    const heading = element("h2", "sfw-title", title);
    heading.id = "sfw-title";
    const restart = button("sfw-new", t.newConversation);
    const close = button("sfw-close");
    close.setAttribute("aria-label", t.close);
    close.append(icon("M6 6l12 12M18 6L6 18"));
    header.append(heading, restart, close);

    const scroller = element("div", "sfw-scroll");
    const log = element("div", "sfw-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", t.conversation);
    log.setAttribute("aria-busy", "false");
    const typing = element("div", "sfw-typing");
    typing.hidden = true;
    typing.append(
      element("span", "sfw-dot"),
      element("span", "sfw-dot"),
      element("span", "sfw-dot"),
      element("span", "sfw-sr", t.typing)
    );
    const newTab = element("span", null, t.newTab);
    newTab.id = "sfw-new-tab";
    newTab.hidden = true;
    scroller.append(log, typing, newTab);

    const error = element("div", "sfw-error");
    error.setAttribute("role", "alert");
    error.hidden = true;
    const retry = button("sfw-retry", t.retry);
    error.append(element("p", "sfw-error-text", t.unreachable), retry);

    const form = element("form", "sfw-form");
    const label = element("label", "sfw-sr", t.yourMessage);
    label.htmlFor = "sfw-input";
    const input = element("input", "sfw-input");
    input.id = "sfw-input";
    input.type = "text";
    input.maxLength = MAX_MESSAGE_CHARS;
    input.autocomplete = "off";
    input.placeholder = t.placeholder;
    input.setAttribute("enterkeyhint", "send");
    const send = element("button", "sfw-send", t.send);
    send.type = "submit";
    form.append(label, input, send);

    panel.append(header, scroller, error, form);
    root.append(launcher, panel);

    launcher.addEventListener("click", () => openPanel(true));
    close.addEventListener("click", closePanel);
    restart.addEventListener("click", newConversation);
    retry.addEventListener("click", retryFailed);
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        closePanel();
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (text && text.length <= MAX_MESSAGE_CHARS) {
        input.value = "";
        sendMessage(text, text);
      }
    });

    return { root, launcher, panel, scroller, log, typing, error, input };
  }

  /* The transcript. */

  function safeHref(candidate) {
    try {
      const url = new URL(candidate);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function appendWithLinks(parent, text) {
    const pattern = /https?:\/\/[^\s<>"']+/gi;
    let last = 0;
    let match;
    while ((match = pattern.exec(text)) !== null) {
      const shown = match[0].replace(/[.,;:!?)\]}]+$/, "");
      const href = safeHref(shown);
      if (!href) {
        continue;
      }
      parent.append(text.slice(last, match.index));
      const link = element("a", "sfw-link", shown);
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.setAttribute("aria-describedby", "sfw-new-tab");
      parent.append(link);
      last = match.index + shown.length;
      pattern.lastIndex = last;
    }
    parent.append(text.slice(last));
  }

  function updateStatus(message, node) {
    const status = node.querySelector(".sfw-status");
    status.textContent =
      message.state === "failed" ? t.notSent : message.state === "refused" ? t.refused : "";
    status.hidden = !status.textContent;
  }

  function messageNode(message) {
    const node = element("div", "sfw-msg sfw-msg--" + message.from);
    node.append(element("span", "sfw-sr", message.from === "user" ? t.you : t.assistant));
    const body = element("p", "sfw-text");
    if (message.from === "bot") {
      appendWithLinks(body, message.text);
    } else {
      body.textContent = message.text;
    }
    node.append(body, element("span", "sfw-status"));
    updateStatus(message, node);
    return node;
  }

  function renderMessage(message) {
    if (message.hidden) {
      return;
    }
    const node = messageNode(message);
    nodes.set(message, node);
    const later = state.messages.slice(state.messages.indexOf(message) + 1);
    const following = later.find((m) => nodes.has(m));
    ui.log.insertBefore(node, following ? nodes.get(following) : null);
  }

  function renderSuggestions() {
    ui.log.querySelector(".sfw-replies")?.remove();
    const shown = state.messages.filter((m) => nodes.has(m));
    const last = shown[shown.length - 1];
    if (!last || last.from !== "bot" || !last.buttons.length) {
      return;
    }
    const group = element("div", "sfw-replies");
    group.setAttribute("role", "group");
    // "Was this helpful?" names its Yes / No; other buttons are suggested questions.
    const feedback = last.buttons.every((b) => b.payload.startsWith(FEEDBACK_PAYLOAD));
    group.setAttribute("aria-label", feedback && last.text ? last.text : t.suggestions);
    for (const choice of last.buttons) {
      const reply = button("sfw-reply", choice.title);
      reply.addEventListener("click", () => {
        sendMessage(choice.title, choice.payload);
        ui.input.focus();
      });
      group.append(reply);
    }
    nodes.get(last).append(group);
  }

  function renderAll() {
    ui.log.textContent = "";
    nodes.clear();
    state.messages.forEach(renderMessage);
    renderSuggestions();
    showError(state.messages.some(isRetryable));
    scrollToEnd();
  }

  function scrollToEnd() {
    ui.scroller.scrollTop = ui.scroller.scrollHeight;
  }

  // tooFast: the server asked to slow down (429), rather than being unreachable.
  function showError(visible, tooFast = false) {
    ui.error.querySelector(".sfw-error-text").textContent = tooFast ? t.wait : t.unreachable;
    ui.error.hidden = !visible;
  }

  /* Sending: one request at a time, in order; what fails is kept for a retry. */

  function isRetryable(message) {
    return message.state === "failed";
  }

  function setDelivery(message, delivery) {
    message.state = delivery; // "queued", "failed", "refused", or undefined once answered
    if (nodes.has(message)) {
      updateStatus(message, nodes.get(message));
    }
  }

  function requeueFailed() {
    state.messages.filter(isRetryable).forEach((m) => setDelivery(m, "queued"));
  }

  function sendMessage(text, payload, hidden = false) {
    requeueFailed(); // keeps the conversation in order: earlier failures go first
    const message = { from: "user", text, send: payload, hidden, state: "queued", buttons: [] };
    state.messages.push(message);
    renderMessage(message);
    renderSuggestions();
    scrollToEnd();
    saveState();
    flush();
  }

  function retryFailed() {
    requeueFailed();
    showError(false);
    saveState();
    ui.input.focus();
    flush();
  }

  async function flush() {
    const message = state.messages.find((m) => m.state === "queued");
    if (busy || !message) {
      return;
    }
    const sender = state.sender;
    busy = true;
    showError(false);
    ui.typing.hidden = false;
    ui.log.setAttribute("aria-busy", "true");
    scrollToEnd();
    const result = await post(sender, message.send);
    busy = false;
    ui.typing.hidden = true;
    ui.log.setAttribute("aria-busy", "false");
    if (sender !== state.sender) {
      flush(); // The conversation was replaced while this answer was on its way.
      return;
    }
    if (result.ok) {
      delivered(message, result.replies);
    } else if (result.retry) {
      state.messages.filter((m) => m.state === "queued").forEach((m) => setDelivery(m, "failed"));
      showError(true, result.tooFast);
    } else {
      setDelivery(message, "refused");
    }
    saveState();
    scrollToEnd();
    if (!result.retry) {
      flush();
    }
  }

  function delivered(message, replies) {
    setDelivery(message, undefined);
    let index = state.messages.indexOf(message);
    if (message.hidden) {
      state.messages.splice(index, 1);
      index -= 1;
    }
    const answers = replies.map(botMessage).filter(Boolean);
    if (replies.some(isDeletionNotice)) {
      // The server deleted the conversation: the browser keeps only the confirmation, and the
      // next message starts a new conversation.
      state = { sender: newSenderId(), messages: answers };
      renderAll();
      return;
    }
    state.messages.splice(index + 1, 0, ...answers);
    answers.forEach(renderMessage);
    renderSuggestions();
  }

  // Sent after a confirmed "delete my conversation" (actions/erasure.py).
  function isDeletionNotice(reply) {
    return Boolean(reply && reply.custom && reply.custom.conversation_deleted === true);
  }

  function botMessage(reply) {
    if (!reply || typeof reply !== "object") {
      return null;
    }
    const text = typeof reply.text === "string" ? reply.text : "";
    const buttons = validButtons(reply.buttons);
    return text || buttons.length ? { from: "bot", text, buttons } : null;
  }

  async function post(sender, message) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      // text/plain keeps it a simple cross-origin request: no preflight round trip.
      const response = await fetch(webhookUrl, {
        method: "POST",
        headers: { "Content-Type": "text/plain;charset=UTF-8" },
        body: JSON.stringify({ sender, message }),
        credentials: "omit",
        cache: "no-store",
        signal: controller.signal
      });
      if (response.ok) {
        const replies = await response.json();
        return { ok: true, retry: false, replies: Array.isArray(replies) ? replies : [] };
      }
      const tooFast = response.status === 429;
      const retry = response.status >= 500 || response.status === 408 || tooFast;
      return { ok: false, retry, tooFast };
    } catch (error) {
      return { ok: false, retry: true }; // unreachable, timed out or cut off
    } finally {
      clearTimeout(timer);
    }
  }

  /* Opening, closing and starting over. */

  function startConversation() {
    sendMessage(SESSION_START, SESSION_START, true);
  }

  function openPanel(focusInput) {
    ui.panel.hidden = false;
    ui.launcher.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "true");
    if (!state.messages.length) {
      startConversation();
    }
    scrollToEnd();
    if (focusInput) {
      ui.input.focus();
    }
  }

  function closePanel() {
    ui.panel.hidden = true;
    ui.launcher.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.focus();
  }

  function newConversation() {
    state = { sender: newSenderId(), messages: [] };
    saveState();
    renderAll();
    startConversation();
    ui.input.focus();
  }

  function mount() {
    ui = buildInterface();
    const stylesheet = element("link");
    stylesheet.rel = "stylesheet";
    stylesheet.href = new URL("widget.css", scriptUrl).href;
    const reveal = () => {
      ui.root.hidden = false;
    };
    stylesheet.addEventListener("load", reveal);
    stylesheet.addEventListener("error", reveal);
    document.head.append(stylesheet);
    document.body.append(ui.root);
    renderAll();
    if (options.open === "true") {
      openPanel(false);
    }
  }

  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount);
  }
})();
