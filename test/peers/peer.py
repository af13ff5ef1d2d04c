#!/usr/bin/python3
"""A real XMPP peer (aioxmpp or slixmpp from Debian) driven by xmuc's integration tests.

Protocol: one JSON object per line on stdin, e.g. {"id": 1, "cmd": "join", "room": "r@conference.localhost",
"nick": "bob"}; one reply per command on stdout, {"id": 1, "ok": true, ...} or {"id": 1, "ok": false,
"error": "..."}, plus event lines {"event": "message", ...} at any time. Run with /usr/bin/python3.
"""
import argparse
import asyncio
import json
import sys
import traceback


def emit(obj):
    sys.stdout.write(json.dumps(obj, default=str) + "\n")
    sys.stdout.flush()


def stamp(delay):
    return delay.stamp.isoformat() if delay is not None and getattr(delay, "stamp", None) else None


class AioxmppPeer:
    def __init__(self):
        import aioxmpp  # noqa: F401
        self.client = None
        self.muc = None
        self.rooms = {}
        self.voice_answers = {}

    async def connect(self, a):
        import aioxmpp
        import aioxmpp.connector
        jid = aioxmpp.JID.fromstr(a["jid"])
        sec = aioxmpp.make_security_layer(a["password"], no_verify=True)._replace(tls_required=False)
        self.client = aioxmpp.Client(
            jid, sec, override_peer=[(a.get("host", "127.0.0.1"), int(a["port"]), aioxmpp.connector.STARTTLSConnector())]
        )
        self.muc = self.client.summon(aioxmpp.MUCClient)
        self.muc.on_muc_invitation.connect(self._on_invitation)
        disp = self.client.summon(aioxmpp.dispatcher.SimpleMessageDispatcher)
        disp.register_callback(aioxmpp.MessageType.CHAT, None, self._on_chat)
        self._cm = self.client.connected()
        await asyncio.wait_for(self._cm.__aenter__(), 15)
        return {"jid": str(self.client.local_jid)}

    def _on_invitation(self, stanza, muc_address, inviter_address, mode, *, password=None, reason=None, **kw):
        emit({"event": "invitation", "room": str(muc_address), "inviter": str(inviter_address) if inviter_address else None,
              "mode": mode.name, "password": password, "reason": reason})

    def _on_chat(self, msg):
        body = msg.body.any() if msg.body else None
        emit({"event": "pm", "from": str(msg.from_), "body": body, "id": msg.id_})

    def _room_events(self, room, key):
        import aioxmpp.muc

        def on_message(message, member, source, **kw):
            body = message.body.any() if message.body else None
            emit({
                "event": "message", "room": key, "nick": getattr(member, "nick", None), "body": body,
                "id": message.id_, "type": message.type_.value, "delay": stamp(getattr(message, "xep0203_delay", None)),
            })

        def on_join(member, **kw):
            emit({"event": "join", "room": key, "nick": member.nick})

        def on_leave(member, muc_leave_mode=None, muc_actor=None, muc_reason=None, muc_status_codes=set(), **kw):
            emit({"event": "leave", "room": key, "nick": member.nick, "mode": getattr(muc_leave_mode, "name", None),
                  "reason": muc_reason, "codes": sorted(int(c) for c in muc_status_codes)})

        def on_nick_changed(member, old_nick, new_nick, **kw):
            emit({"event": "nick_changed", "room": key, "old": old_nick, "new": new_nick})

        def on_topic_changed(member, new_topic, **kw):
            emit({"event": "subject", "room": key, "nick": getattr(member, "nick", None), "text": new_topic.any() if new_topic else None})

        def on_exit(muc_leave_mode=None, muc_reason=None, **kw):
            emit({"event": "exit", "room": key, "mode": getattr(muc_leave_mode, "name", None), "reason": muc_reason})

        def on_enter(*a, **kw):
            emit({"event": "enter", "room": key})

        def on_role_changed(presence, occupant, *a, actor=None, reason=None, **kw):
            emit({"event": "role", "room": key, "nick": occupant.nick, "role": occupant.role, "reason": reason,
                  "actor": getattr(actor, "nick", None)})

        def on_affiliation_changed(presence, occupant, *a, actor=None, reason=None, **kw):
            emit({"event": "affiliation", "room": key, "nick": occupant.nick, "affiliation": occupant.affiliation, "reason": reason})

        def on_role_request(form, fut):
            emit({"event": "role_request", "room": key, "nick": form.roomnick.value, "role": form.role.value})
            allow = self.voice_answers.get(key)
            if allow is not None and not fut.done():
                form.request_allow.value = bool(allow)
                fut.set_result(form.render_reply())

        room.on_muc_role_changed.connect(on_role_changed)
        room.on_muc_affiliation_changed.connect(on_affiliation_changed)
        room.on_muc_role_request.connect(on_role_request)
        room.on_message.connect(on_message)
        room.on_join.connect(on_join)
        room.on_leave.connect(on_leave)
        room.on_nick_changed.connect(on_nick_changed)
        room.on_topic_changed.connect(on_topic_changed)
        room.on_exit.connect(on_exit)
        room.on_enter.connect(on_enter)

    async def join(self, a):
        import aioxmpp
        import aioxmpp.muc.xso as mucxso
        jid = aioxmpp.JID.fromstr(a["room"])
        history = None
        if a.get("maxstanzas") is not None:
            history = mucxso.History(maxstanzas=int(a["maxstanzas"]))
        room, fut = self.muc.join(jid, a["nick"], history=history, password=a.get("password"), autorejoin=False)
        self.rooms[a["room"]] = room
        self._room_events(room, a["room"])
        await asyncio.wait_for(fut, 15)
        return {"nick": room.me.nick}

    async def create_instant(self, a):
        import aioxmpp
        jid = aioxmpp.JID.fromstr(a["room"])
        form = await self.muc.get_room_config(jid)
        await self.muc.set_room_config(jid, aioxmpp.muc.ConfigurationForm.from_xso(form).render_reply())
        return {}

    async def configure(self, a):
        """Submit the room configuration form with some fields changed (also unlocks a new room).

        Optional keys: password (str: password-protects the room), membersonly (bool),
        whois ('anyone'|'moderators'), persistent (bool), changesubject (bool: occupants may set the subject),
        moderated (bool: newcomers without affiliation are visitors).
        """
        import aioxmpp
        jid = aioxmpp.JID.fromstr(a["room"])
        form = aioxmpp.muc.ConfigurationForm.from_xso(await self.muc.get_room_config(jid))
        if a.get("password") is not None:
            form.passwordprotectedroom.value = True
            form.roomsecret.value = a["password"]
        if a.get("membersonly") is not None:
            form.membersonly.value = bool(a["membersonly"])
        if a.get("whois") is not None:
            form.whois.value = a["whois"]
        if a.get("moderated") is not None:
            form.moderatedroom.value = bool(a["moderated"])
        if a.get("changesubject") is not None:
            form.changesubject.value = bool(a["changesubject"])
        if a.get("persistent") is not None:
            form.persistentroom.value = bool(a["persistent"])
        await self.muc.set_room_config(jid, form.render_reply())
        return {}

    async def presence(self, a):
        """Send an available presence to the room with `show` (away/chat/dnd/xa) and `status` text."""
        import aioxmpp
        room = self.rooms[a["room"]]
        pres = aioxmpp.Presence(type_=aioxmpp.PresenceType.AVAILABLE, to=room.jid.replace(resource=room.me.nick))
        if a.get("show"):
            pres.show = aioxmpp.PresenceShow(a["show"])
        if a.get("status"):
            pres.status[None] = a["status"]
        await self.client.send(pres)
        return {}

    async def destroy(self, a):
        """Destroy the room (owner): optional reason and alternate venue `alt`."""
        import aioxmpp
        import aioxmpp.muc.xso as mucxso
        req = mucxso.DestroyRequest()
        if a.get("reason"):
            req.reason = a["reason"]
        if a.get("alt"):
            req.jid = aioxmpp.JID.fromstr(a["alt"])
        iq = aioxmpp.IQ(type_=aioxmpp.IQType.SET, to=aioxmpp.JID.fromstr(a["room"]), payload=mucxso.OwnerQuery(destroy=req))
        await self.client.send(iq)
        self.rooms.pop(a["room"], None)
        return {}

    async def send(self, a):
        import aioxmpp
        msg = aioxmpp.Message(type_=aioxmpp.MessageType.GROUPCHAT)
        msg.body[None] = a["body"]
        if a.get("msg_id"):
            msg.id_ = a["msg_id"]
        self.rooms[a["room"]].send_message(msg)
        return {}

    async def pm(self, a):
        import aioxmpp
        msg = aioxmpp.Message(type_=aioxmpp.MessageType.CHAT, to=aioxmpp.JID.fromstr(a["room"]).replace(resource=a["nick"]))
        msg.body[None] = a["body"]
        msg.xep0045_muc_user = aioxmpp.muc.xso.UserExt()
        await self.client.send(msg)
        return {}

    async def subject(self, a):
        await self.rooms[a["room"]].set_topic({None: a["text"]})
        return {}

    async def nick(self, a):
        await asyncio.wait_for(self.rooms[a["room"]].set_nick(a["nick"]), 15)
        return {"nick": self.rooms[a["room"]].me.nick}

    def _member(self, room, nick):
        for m in room.members:
            if m.nick == nick:
                return m
        raise KeyError("no occupant " + nick)

    async def kick(self, a):
        room = self.rooms[a["room"]]
        await room.kick(self._member(room, a["nick"]), a.get("reason"))
        return {}

    async def ban(self, a):
        room = self.rooms[a["room"]]
        await room.ban(self._member(room, a["nick"]), a.get("reason"), request_kick=True)
        return {}

    async def set_role(self, a):
        await self.rooms[a["room"]].muc_set_role(a["nick"], a["role"], reason=a.get("reason"))
        return {}

    async def set_affiliation(self, a):
        import aioxmpp
        await self.muc.set_affiliation(aioxmpp.JID.fromstr(a["room"]), aioxmpp.JID.fromstr(a["jid"]), a["affiliation"], reason=a.get("reason"))
        return {}

    async def available(self, a):
        """Send an available presence (messages to the bare JID, e.g. invitations, reach us)."""
        import aioxmpp
        await self.client.send(aioxmpp.Presence(type_=aioxmpp.PresenceType.AVAILABLE))
        return {}

    async def voice_policy(self, a):
        """Answer later voice requests of `room` with `allow` (bool)."""
        self.voice_answers[a["room"]] = bool(a["allow"])
        return {}

    async def request_voice(self, a):
        await self.rooms[a["room"]].muc_request_voice()
        return {}

    async def invite(self, a):
        """Invite `jid` to `room` (joined) in `mode` DIRECT or MEDIATED with `reason`."""
        import aioxmpp
        import aioxmpp.im.conversation as conv
        mode = conv.InviteMode[a.get("mode", "DIRECT")]
        await self.rooms[a["room"]].invite(aioxmpp.JID.fromstr(a["jid"]), a.get("reason"), mode=mode)
        return {}

    async def members(self, a):
        room = self.rooms[a["room"]]
        return {"members": [{"nick": m.nick, "role": m.role, "affiliation": m.affiliation} for m in room.members]}

    async def leave(self, a):
        room = self.rooms.pop(a["room"])
        await asyncio.wait_for(room.leave(), 15)
        return {}

    async def disconnect(self, a):
        if self.client is not None:
            await self._cm.__aexit__(None, None, None)
            self.client = None
        return {}


class SlixmppPeer:
    def __init__(self):
        self.xmpp = None

    async def connect(self, a):
        import slixmpp
        self.xmpp = slixmpp.ClientXMPP(a["jid"], a["password"])
        self.xmpp.register_plugin("xep_0045")
        started = asyncio.get_event_loop().create_future()
        self.xmpp.add_event_handler("session_start", lambda e: started.done() or started.set_result(True))
        self.xmpp.add_event_handler("groupchat_message", self._on_groupchat)
        self.xmpp.add_event_handler("message", self._on_message)
        self.xmpp.add_event_handler("groupchat_subject", self._on_subject)
        self.xmpp.connect(address=(a.get("host", "127.0.0.1"), int(a["port"])), force_starttls=False, disable_starttls=True)
        await asyncio.wait_for(started, 15)
        self.xmpp.send_presence()
        return {"jid": str(self.xmpp.boundjid)}

    def _on_subject(self, msg):
        emit({"event": "subject", "room": msg["from"].bare, "nick": msg["mucnick"] or None, "text": msg["subject"]})

    def _on_groupchat(self, msg):
        if not msg["body"]:
            return
        emit({"event": "message", "room": msg["from"].bare, "nick": msg["mucnick"], "body": msg["body"], "id": msg["id"],
              "type": "groupchat", "delay": str(msg["delay"]["stamp"]) if msg["delay"]["stamp"] else None})

    def _on_message(self, msg):
        if msg["type"] == "chat":
            emit({"event": "pm", "from": str(msg["from"]), "body": msg["body"], "id": msg["id"]})

    async def join(self, a):
        kw = {"timeout": 15}
        if a.get("maxstanzas") is not None:
            kw["maxstanzas"] = int(a["maxstanzas"])
        if a.get("password"):
            kw["password"] = a["password"]
        await self.xmpp.plugin["xep_0045"].join_muc_wait(a["room"], a["nick"], **kw)
        return {"nick": a["nick"]}

    async def send(self, a):
        m = self.xmpp.make_message(mto=a["room"], mbody=a["body"], mtype="groupchat")
        if a.get("msg_id"):
            m["id"] = a["msg_id"]
        m.send()
        return {}

    async def pm(self, a):
        self.xmpp.send_message(mto=a["room"] + "/" + a["nick"], mbody=a["body"], mtype="chat")
        return {}

    async def subject(self, a):
        self.xmpp.plugin["xep_0045"].set_subject(a["room"], a["text"])
        return {}

    async def leave(self, a):
        self.xmpp.plugin["xep_0045"].leave_muc(a["room"], self.xmpp.plugin["xep_0045"].our_nicks.get(a["room"], ""))
        return {}

    async def disconnect(self, a):
        if self.xmpp is not None:
            self.xmpp.disconnect()
            self.xmpp = None
        return {}


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", choices=["aioxmpp", "slixmpp"], default="aioxmpp")
    args = ap.parse_args()
    peer = AioxmppPeer() if args.lib == "aioxmpp" else SlixmppPeer()
    loop = asyncio.get_event_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    emit({"event": "ready", "lib": args.lib})
    while True:
        line = await reader.readline()
        if not line:
            break
        try:
            req = json.loads(line)
        except ValueError:
            emit({"ok": False, "error": "bad json"})
            continue
        cmd = req.get("cmd")
        if cmd == "quit":
            try:
                await peer.disconnect(req)
            except Exception:
                pass
            emit({"id": req.get("id"), "ok": True})
            break
        fn = getattr(peer, cmd, None) if isinstance(cmd, str) and not cmd.startswith("_") else None
        if fn is None:
            emit({"id": req.get("id"), "ok": False, "error": "unknown command " + str(cmd)})
            continue

        async def run(req=req, fn=fn):
            try:
                res = await fn(req)
                emit(dict({"id": req.get("id"), "ok": True}, **(res or {})))
            except Exception as e:  # report, never die
                emit({"id": req.get("id"), "ok": False, "error": "%s: %s" % (type(e).__name__, e),
                      "trace": traceback.format_exc(limit=3)})

        loop.create_task(run())


if __name__ == "__main__":
    try:
        asyncio.get_event_loop().run_until_complete(main())
    except KeyboardInterrupt:
        pass
