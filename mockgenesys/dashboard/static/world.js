// The world tab: conversations with their participants and messages (and agent actions on them),
// guest sessions with their open connections, deployments, OAuth clients and contacts.
// Read from GET /__admin/world/summary, which holds no secrets (tokens appear as fingerprints).

import { call } from "./api.js";
import { isoText } from "./journal.js";

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

function row(...cells) {
  return el("tr", {}, ...cells.map((c) => (c instanceof Node ? el("td", {}, c) : el("td", { textContent: String(c ?? "") }))));
}

export class WorldPanel {
  constructor({ onSession, onSessions }) {
    this.onSession = onSession; // a session id was clicked: filter the journal by it
    this.onSessions = onSessions; // the session id -> principal map changed
    this.error = document.getElementById("world-error");
    this.totals = document.getElementById("world-totals");
    this.data = null;
    this.text = "";
    this.loading = null;
    document.getElementById("world-refresh").addEventListener("click", () => this.refresh());
  }

  async refresh() {
    if (this.loading) return this.loading;
    this.loading = (async () => {
      const result = await call("GET", "world/summary");
      this.loading = null;
      if (!result.ok) {
        this.error.textContent = result.message;
        return;
      }
      this.error.textContent = "";
      const text = JSON.stringify(result.data);
      if (text === this.text) return; // unchanged: keep the DOM (and what the user is doing in it)
      this.text = text;
      this.data = result.data;
      this.onSessions(new Map(result.data.guestSessions.map((s) => [s.id, s.principal])));
      this.render();
    })();
    return this.loading;
  }

  render() {
    const world = this.data;
    const t = world.totals;
    this.totals.textContent = `${t.conversations} conversation(s), ${t.guestSessions} guest session(s), ${t.contacts} contact(s) in org ${world.orgId}` +
      (t.conversations > world.conversations.length ? ` (the newest ${world.conversations.length} conversations shown)` : "");
    this.renderConversations(world.conversations);
    const sessions = document.querySelector("#world-sessions tbody");
    sessions.replaceChildren(
      ...world.guestSessions.map((s) => {
        const link = el("button", { type: "button", className: "link", textContent: s.id, title: "Show this session's rows in the journal" });
        link.addEventListener("click", () => this.onSession(s.id));
        const state = [s.closed && "closed", s.expired && "expired", s.readOnly && "read-only", s.authenticated && "authenticated"].filter(Boolean).join(", ") || "open";
        return row(link, s.principal, s.conversationId, s.connections, state, isoText(s.expiresAt));
      }),
    );
    document.querySelector("#world-deployments tbody").replaceChildren(
      ...world.deployments.map((d) => row(d.id, d.name, d.status, `${d.jwtTtl} s`, `${d.sessionTtl} s`)),
    );
    document.querySelector("#world-clients tbody").replaceChildren(
      ...world.clients.map((c) => row(c.id, c.name, `${c.tokenTtl} s`, c.grants.join(", "))),
    );
    document.querySelector("#world-contacts tbody").replaceChildren(...world.contacts.map((c) => row(c.id, c.name, c.title, c.email)));
  }

  renderConversations(conversations) {
    const box = document.getElementById("world-conversations");
    // Keep what the user is typing in a reply box across refreshes.
    const drafts = new Map([...box.querySelectorAll("input[data-conversation]")].map((i) => [i.dataset.conversation, i.value]));
    const focused = box.contains(document.activeElement) ? document.activeElement.dataset.conversation : undefined;
    box.replaceChildren(
      ...conversations.map((c) => {
        const participants = el("p", { className: "chips" }, ...c.participants.map((p) => el("span", { textContent: `${p.purpose}: ${p.name} (${p.state})` })));
        const messages = el(
          "ul",
          { className: "messages" },
          ...c.messages.map((m) => el("li", { className: m.direction, textContent: `${isoText(m.timestamp).slice(5, 19).replace("T", " ")} ${m.direction === "inbound" ? "guest" : "agent"}: ${m.text || `[${m.type}]`}` })),
        );
        const more = c.messageCount > c.messages.length ? el("p", { className: "hint", textContent: `${c.messageCount - c.messages.length} older message(s) not shown` }) : "";
        return el("article", { className: "card" }, el("h3", {}, el("span", { className: "mono", textContent: c.id }), el("small", { textContent: c.state })), participants, more, messages, this.actions(c, drafts));
      }),
    );
    for (const list of box.querySelectorAll(".messages")) list.scrollTop = list.scrollHeight; // newest in view
    if (focused) {
      const input = [...box.querySelectorAll("input[data-conversation]")].find((i) => i.dataset.conversation === focused);
      if (input) input.focus();
    }
  }

  actions(conversation, drafts) {
    const form = el("form", { className: "agent" });
    const text = el("input", { placeholder: "Agent reply", value: drafts.get(conversation.id) || "" });
    text.dataset.conversation = conversation.id;
    text.setAttribute("aria-label", `Agent reply in ${conversation.id}`);
    const status = el("output", { className: "error" });
    const act = async (action, body) => {
      const result = await call("POST", `agent/${encodeURIComponent(conversation.id)}/${action}`, body);
      status.textContent = result.ok ? "" : result.message;
      if (result.ok) {
        if (action === "reply") text.value = "";
        this.refresh();
      }
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act("reply", { text: text.value });
    });
    const typing = el("button", { type: "button", textContent: "Typing" });
    typing.addEventListener("click", () => act("typing", {}));
    const disconnect = el("button", { type: "button", className: "danger", textContent: "Disconnect" });
    disconnect.addEventListener("click", () => act("disconnect", {}));
    form.append(text, el("button", { type: "submit", textContent: "Reply" }), typing, disconnect, status);
    return form;
  }
}
