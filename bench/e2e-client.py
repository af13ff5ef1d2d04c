#!/usr/bin/python3
"""One measured Python client of the end-to-end benchmark (opt-in: BENCH_E2E_PY=1), the
counterpart of e2e-client.ts for slixmpp and aioxmpp (Debian packages, /usr/bin/python3).

Usage: e2e-client.py MODE KIND ENDPOINTS_JSON ROOM NICK [N], KIND slixmpp or aioxmpp, MODE join or
drain, same protocol as e2e-client.ts: prints READY (drain) and one RESULT {json} line. CPU is
time.process_time() (user+sys of the whole process). Anonymous login (SASL ANONYMOUS).
"""
import asyncio
import json
import sys
import time

MODE, KIND, EP_JSON, ROOM, NICK = sys.argv[1:6]
N = int(sys.argv[6]) if len(sys.argv) > 6 else 0
EP = json.loads(EP_JSON)
HOST, PORT = EP["tcp"].rsplit("//", 1)[1].rsplit(":", 1)
HISTORY = 20


def emit(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Slix:
    async def connect(self):
        import slixmpp
        self.xmpp = slixmpp.ClientXMPP(EP["domain"], "")
        self.xmpp.register_plugin("xep_0045")
        self.on_message = None
        self.on_subject = None
        started = asyncio.get_event_loop().create_future()
        self.xmpp.add_event_handler("session_start", lambda e: started.done() or started.set_result(True))
        self.xmpp.add_event_handler("groupchat_message", lambda m: self.on_message and m["body"] and self.on_message())
        self.xmpp.add_event_handler("groupchat_subject", lambda m: self.on_subject and self.on_subject())
        self.xmpp.connect(address=(HOST, int(PORT)), force_starttls=False, disable_starttls=True)
        await asyncio.wait_for(started, 30)

    async def join(self, maxstanzas):
        subject = asyncio.get_event_loop().create_future()
        self.on_subject = lambda: subject.done() or subject.set_result(True)
        await self.xmpp.plugin["xep_0045"].join_muc_wait(ROOM, NICK, maxstanzas=maxstanzas, timeout=90)
        await asyncio.wait_for(subject, 90)
        return len(self.xmpp.plugin["xep_0045"].get_roster(ROOM))

    def count(self, fn):
        self.on_message = fn

    async def close(self):
        self.xmpp.disconnect()


class Aio:
    async def connect(self):
        import aioxmpp
        import aioxmpp.connector
        sec = aioxmpp.make_security_layer(None, anonymous="", no_verify=True)._replace(tls_required=False)
        self.client = aioxmpp.Client(
            aioxmpp.JID.fromstr(EP["domain"]), sec,
            override_peer=[(HOST, int(PORT), aioxmpp.connector.STARTTLSConnector())],
        )
        self.muc = self.client.summon(aioxmpp.MUCClient)
        self.on_message = None
        self._cm = self.client.connected()
        await asyncio.wait_for(self._cm.__aenter__(), 30)

    async def join(self, maxstanzas):
        import aioxmpp
        import aioxmpp.muc.xso as mucxso
        topic = asyncio.get_event_loop().create_future()
        history = mucxso.History(maxstanzas=maxstanzas)
        room, fut = self.muc.join(aioxmpp.JID.fromstr(ROOM), NICK, history=history, autorejoin=False)
        room.on_topic_changed.connect(lambda *a, **k: topic.done() or topic.set_result(True))

        def on_message(message, member, source, **kw):
            if self.on_message and message.body:
                self.on_message()
        room.on_message.connect(on_message)
        await asyncio.wait_for(fut, 90)
        await asyncio.wait_for(topic, 90)
        return len(room.members)

    def count(self, fn):
        self.on_message = fn

    async def close(self):
        await self._cm.__aexit__(None, None, None)


async def main():
    c = Slix() if KIND == "slixmpp" else Aio()
    await c.connect()
    if MODE == "join":
        cpu0, t0 = time.process_time(), time.perf_counter()
        count = await asyncio.wait_for(c.join(HISTORY), 90)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
    else:
        await asyncio.wait_for(c.join(0), 60)
        done = asyncio.get_event_loop().create_future()
        state = {"got": 0, "t0": 0.0}

        def tick():
            state["got"] += 1
            if state["got"] == 1:
                state["t0"] = time.perf_counter()
            if state["got"] == N and not done.done():
                done.set_result(True)
        c.count(tick)
        await asyncio.sleep(0.2)
        cpu0 = time.process_time()
        emit("READY")
        await asyncio.wait_for(done, 400)  # stopped time included; the parent bounds the whole run
        cpu, wall, count = time.process_time() - cpu0, time.perf_counter() - state["t0"], state["got"]
    emit("RESULT " + json.dumps({"kind": KIND, "mode": MODE, "cpuUs": cpu * 1e6, "wallMs": wall * 1000, "count": count}))
    try:
        await asyncio.wait_for(c.close(), 5)
    except Exception:
        pass


if __name__ == "__main__":
    asyncio.get_event_loop().run_until_complete(main())
