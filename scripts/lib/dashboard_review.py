"""A clinician's review on the dashboard, clicked through in headless Chromium
with real mouse events and typing (DevTools Input), for DashboardReviewTests.

  review   the open episode nobody acknowledged stands out (its card, the case
           header, the case list); one click acknowledges it; "Annotate…",
           a reason, a typed note and a verdict annotate it; the audit trail
           then shows both actions. Prints what it saw as JSON.
  denied   with a token lacking the review scope, a click on Acknowledge says
           so on the page and disables the review buttons; after "Forget
           token" and signing in with a review token (standard input's second
           line), the buttons work again.

  new-alarm  an episode acknowledged before a second vital's breach raised
           its own alarm: the card names the new alarm, unacknowledged, and
           its button says "Acknowledge new alarm"; one click acknowledges it.

  limits   the case's value boxes once its charts are drawn, which are red
           (past a limit); then "Change limits…", MAP's limit typed as 50
           with a note, "Save limits": the boxes again, and the case list,
           by the new limits; then another client restores the defaults
           (PUT from this script) and the page follows its live stream.

  backfill the case's charts drawn, a gateway sends a backlog stamped 13
           minutes behind the newest row, with a temperature the case had
           none of (POST from this script): the live stream cannot send rows
           that far back, it names their times, and the page reads its
           window again, so the temperature box shows the backlog's value.

  switch   an annotate form open with a note half typed, the address moves
           to another case (a bookmark, the back button): the episode list
           is that case's, with no form left whose buttons would act on the
           first; and the page's episode store drops an episode that a
           merged one now covers (the workers send no event for it).

  link     signed in with the first address's token, the tab opens a link
           that carries another one (standard input's second line): the
           page keeps its own token and says so; after "Forget token" the
           same link signs in with its token.

usage: dashboard_review.py CHROMIUM MODE OUT.png < URL-FILE   (or PAGE_URL=URL in the environment)
(the address holds a token in its fragment: it comes from the environment
or standard input, since command lines are visible to every user of the machine)
"""
import json
import os
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime

from page_screenshot import Browser

UNSEEN = ".episode-item.unseen"


def click(page, selector):
    """A left click at the middle of the element, as a mouse makes it."""
    box = page.evaluate(f"""(() => {{
        const node = document.querySelector({json.dumps(selector)});
        if (!node) return null;
        node.scrollIntoView({{ block: "center" }});
        const r = node.getBoundingClientRect();
        return {{ x: r.x + r.width / 2, y: r.y + r.height / 2 }};
    }})()""")
    if box is None:
        raise RuntimeError(f"nothing to click: {selector}")
    for kind in ("mousePressed", "mouseReleased"):
        page.tools.call("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left", clickCount=1)


def choose(page, selector, value):
    """Picks an option of a <select> (a native pop-up headless Chromium does not draw), as its change event reports it."""
    page.evaluate(f"""(() => {{
        const select = document.querySelector({json.dumps(selector)});
        select.value = {json.dumps(value)};
        select.dispatchEvent(new Event("change"));
    }})()""")


def count(page, selector):
    return page.evaluate(f"document.querySelectorAll({json.dumps(selector)}).length")


def review(page, out):
    page.wait_for(f"document.querySelector('{UNSEEN} .review button.acknowledge')", "an unacknowledged open episode")
    seen = {
        "unseen_cards": count(page, UNSEEN),
        "header_unseen": page.evaluate("document.getElementById('case-state').classList.contains('unseen')"),
        "header_text": page.evaluate("document.getElementById('case-state').textContent"),
        "case_list_unseen": count(page, ".case-item.unseen"),
    }
    episode = page.evaluate(f"document.querySelector('{UNSEEN}').dataset.episode")
    card = f'.episode-item[data-episode="{episode}"]'
    clicks = 0

    click(page, f"{card} .review button.acknowledge"); clicks += 1
    page.wait_for(f"document.querySelector('{card} .review-status .seen')", "the acknowledgement shown")
    seen["acknowledge_clicks"] = clicks
    seen["unseen_cards_after"] = count(page, UNSEEN)
    seen["header_unseen_after"] = page.evaluate("document.getElementById('case-state').classList.contains('unseen')")
    seen["seen_text"] = page.evaluate(f"document.querySelector('{card} .review-status .seen').textContent")

    clicks = 0
    click(page, f"{card} .annotate-toggle"); clicks += 1
    page.wait_for(f"document.querySelector('{card} .annotate')", "the annotate form")
    choose(page, f"{card} .annotate select", "line_flush")
    click(page, f"{card} .annotate input")
    page.tools.call("Input.insertText", text="flushed the art line, \"square\" wave")
    click(page, f"{card} .verdict-button.verdict-false_alarm"); clicks += 1
    page.wait_for(f"document.querySelector('{card} .review-status .verdict-false_alarm')", "the verdict shown")
    seen["annotate_clicks"] = clicks
    seen["verdict_text"] = page.evaluate(f"document.querySelector('{card} .review-status .verdict').textContent")
    seen["form_closed"] = count(page, f"{card} .annotate") == 0

    # Opened as a user would: look, click if closed, look again. The list may
    # be drawn again between the look and the click (a stream event), which
    # moves the summary or undoes the click: look and click again.
    trail_open = f"document.querySelector('{card} details.trail').open"
    for attempt in range(3):
        if not page.evaluate(trail_open):
            click(page, f"{card} details.trail summary")
        try:
            page.wait_for(trail_open, "the audit trail open", timeout=10)
            break
        except RuntimeError:
            if attempt == 2:
                raise
    seen["trail"] = page.evaluate(f"[...document.querySelectorAll('{card} details.trail li')].map((li) => li.textContent)")
    seen["episode_id"] = int(episode)
    time.sleep(0.5)
    page.screenshot(out)
    return seen


def new_alarm(page, out):
    page.wait_for("document.querySelector('.later-alarm.unseen')", "a new alarm nobody acknowledged")
    card = ".episode-item:has(.later-alarm.unseen)"
    seen = {
        "episode_id": int(page.evaluate(f"document.querySelector('{card}').dataset.episode")),
        "new_alarms": page.evaluate("[...document.querySelectorAll('.later-alarm.unseen')].map((node) => node.textContent)"),
        "status_text": page.evaluate(f"document.querySelector('{card} .review-status .unseen').textContent"),
        "button_text": page.evaluate(f"document.querySelector('{card} .review button.acknowledge').textContent"),
    }
    card = f'.episode-item[data-episode="{seen["episode_id"]}"]'
    click(page, f"{card} .review button.acknowledge")
    page.wait_for(f"document.querySelector('{card} .review-status .seen')", "the new alarm acknowledged")
    seen["unseen_new_alarms_after"] = count(page, ".later-alarm.unseen")
    seen["new_alarms_after"] = count(page, ".later-alarm")
    time.sleep(0.5)
    page.screenshot(out)
    return seen


def limits(page, out, url):
    page.wait_for("[...document.querySelectorAll('.chart .value .number')].some((node) => node.textContent !== '–')",
                  "the case's values drawn")
    time.sleep(0.5)
    boxes = """[...document.querySelectorAll('.chart:not(.score) .value')].map((node) =>
        ({ label: node.querySelector('.label').textContent, breach: node.classList.contains('breach') }))"""
    page.wait_for("document.querySelector('.case-item .breach')", "the case list's value past the default limit")
    seen = {"boxes": page.evaluate(boxes), "status": page.evaluate("document.querySelector('.limits-status').textContent"),
            "list_breaches": count(page, ".case-item .breach")}
    click(page, ".limits-edit")
    page.wait_for("document.querySelector('.limits-form')", "the limits form")
    click(page, ".limits-form input[name=mbp_lt_65]")
    page.evaluate("document.querySelector('.limits-form input[name=mbp_lt_65]').select()")
    page.tools.call("Input.insertText", text="50")
    click(page, ".limits-form input[name=note]")
    page.tools.call("Input.insertText", text="planned hypotension")
    seen["limits_text"] = page.evaluate("document.querySelector('.case-limits').textContent")
    click(page, ".limits-save")
    page.wait_for("document.querySelector('.own-limits')", "the case's own limits shown")
    time.sleep(0.5)
    seen["boxes_after"] = page.evaluate(boxes)
    seen["status_after"] = page.evaluate("document.querySelector('.limits-status').textContent")
    # The case list reads the case again within its 5-s poll.
    page.wait_for("!document.querySelector('.case-item .breach')", "the case list by the new limits", timeout=15)
    seen["list_breaches_after"] = count(page, ".case-item .breach")
    page.screenshot(out)
    # Another clinician restores the defaults from elsewhere: the open page follows its live stream.
    address = urllib.parse.urlparse(url)
    fragment = urllib.parse.parse_qs(address.fragment)
    request = urllib.request.Request(f"{address.scheme}://{address.netloc}/cases/{urllib.parse.quote(fragment['case'][0])}/limits",
                                     method="PUT", data=json.dumps({"limits": {}, "note": "from another workstation"}).encode(),
                                     headers={"Authorization": f"Bearer {fragment['token'][0]}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        seen["other_client_status"] = answer.status
    page.wait_for("document.querySelector('.limits-status').textContent.startsWith('Default')", "the defaults shown", timeout=5)
    page.wait_for("document.querySelector('.case-item .breach')", "the case list by the defaults", timeout=5)
    time.sleep(0.5)
    seen["boxes_restored"] = page.evaluate(boxes)
    seen["status_restored"] = page.evaluate("document.querySelector('.limits-status').textContent")
    return seen


def backfill(page, out, url):
    page.wait_for("[...document.querySelectorAll('.chart .value .number')].some((node) => node.textContent !== '–')",
                  "the case's values drawn")
    temperature = """[...document.querySelectorAll('.chart .value')].find((node) =>
        node.querySelector('.label').textContent === 'Temp')?.querySelector('.number').textContent ?? 'no box'"""
    seen = {"temp_before": page.evaluate(temperature)}
    # Sent once the page follows the case's stream: before, it is what the page's load reads.
    page.wait_for("/\\b(live|quiet)\\b/.test(document.querySelector('#stream-state').className)", "the stream connected")
    address = urllib.parse.urlparse(url)
    fragment = urllib.parse.parse_qs(address.fragment)
    case_url = f"{address.scheme}://{address.netloc}/cases/{urllib.parse.quote(fragment['case'][0])}"
    bearer = {"Authorization": f"Bearer {fragment['token'][0]}"}
    with urllib.request.urlopen(urllib.request.Request(case_url, headers=bearer), timeout=10) as answer:
        last = datetime.fromisoformat(json.load(answer)["last_sample"].replace("Z", "+00:00")).timestamp()
    backlog = [{"t": last - 780 + second, "temp": 36.4} for second in range(30)]
    request = urllib.request.Request(f"{case_url}/vitals", method="POST", data=json.dumps({"samples": backlog}).encode(),
                                     headers={**bearer, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        seen["backlog_status"] = answer.status
    page.wait_for(f"!['no box', '–'].includes({temperature})", "the backlog's temperature on the page", timeout=10)
    seen["temp_after"] = page.evaluate(temperature)
    page.screenshot(out)
    return seen


def denied(page, out, review_token):
    page.wait_for("document.querySelector('.review button.acknowledge')", "an unacknowledged episode")
    episode = page.evaluate("document.querySelector('.review button.acknowledge').closest('.episode-item').dataset.episode")
    card = f'.episode-item[data-episode="{episode}"]'
    click(page, f"{card} .review button.acknowledge")
    page.wait_for("!document.getElementById('review-denied').hidden", "the page saying the token cannot review")
    seen = {
        "message": page.evaluate("document.getElementById('review-denied').textContent"),
        "enabled_review_buttons": count(page, ".review button:not(:disabled)"),
        "still_signed_in": not page.evaluate("document.getElementById('dashboard').hidden"),
    }
    page.screenshot(out)
    click(page, "#forget")
    page.wait_for("!document.getElementById('login').hidden", "the token form")
    click(page, "#token-input")
    page.tools.call("Input.insertText", text=review_token)
    click(page, "#token-form button[type=submit]")
    page.wait_for(f"document.querySelector('{card} .review button.acknowledge:not(:disabled)')", "the review buttons enabled for the new token")
    seen["denied_hidden_after_new_token"] = page.evaluate("document.getElementById('review-denied').hidden")
    # Not asked to keep it: held for the tab only, so the next person at the workstation does not inherit it.
    seen["token_in_tab_only"] = page.evaluate(
        "sessionStorage.getItem('physio.readToken') !== null && localStorage.getItem('physio.readToken') === null")
    click(page, f"{card} .review button.acknowledge")
    page.wait_for(f"document.querySelector('{card} .review-status .seen')", "the acknowledgement with the new token")
    seen["seen_text_after_new_token"] = page.evaluate(f"document.querySelector('{card} .review-status .seen').textContent")
    return seen


def link(page, out, url, other_token):
    signed_in = "!document.getElementById('dashboard').hidden"
    page.wait_for(signed_in, "the dashboard with the first token")
    fragment = urllib.parse.parse_qs(urllib.parse.urlsplit(url).fragment)
    first, case = fragment["token"][0], fragment["case"][0]
    base = url.split("#")[0]
    held = "(sessionStorage.getItem('physio.readToken') ?? localStorage.getItem('physio.readToken'))"

    def open_link():
        page.tools.call("Page.navigate", url="about:blank")
        time.sleep(0.3)
        page.tools.call("Page.navigate", url=f"{base}#token={other_token}&case={case}")
        page.wait_for(f"document.readyState === 'complete' && {signed_in}", "the dashboard after the link")

    open_link()
    seen = {
        "kept_first": page.evaluate(f"{held} === {json.dumps(first)}"),
        "note_shown": not page.evaluate("document.getElementById('link-token-note').hidden"),
        "note": page.evaluate("document.getElementById('link-token-note').textContent"),
        "token_left_address": "token=" not in page.evaluate("location.hash"),
    }
    page.screenshot(out)
    click(page, "#forget")
    page.wait_for("!document.getElementById('login').hidden", "the token form")
    open_link()
    seen["link_token_after_forget"] = page.evaluate(f"{held} === {json.dumps(other_token)}")
    seen["note_shown_after_forget"] = not page.evaluate("document.getElementById('link-token-note').hidden")
    return seen


def switch(page, out, other_case):
    page.wait_for(f"document.querySelector('{UNSEEN} .annotate-toggle')", "an unacknowledged open episode")
    episode = page.evaluate(f"document.querySelector('{UNSEEN}').dataset.episode")
    card = f'.episode-item[data-episode="{episode}"]'
    click(page, f"{card} .annotate-toggle")
    page.wait_for(f"document.querySelector('{card} .annotate input')", "the annotate form")
    click(page, f"{card} .annotate input")
    page.tools.call("Input.insertText", text="half a note")
    first = page.evaluate("[...document.querySelectorAll('#episode-list .episode-item')].map((li) => li.dataset.episode)")
    page.evaluate(f"location.hash = 'case=' + encodeURIComponent({json.dumps(other_case)})")
    page.wait_for(f"document.getElementById('case-title').textContent === {json.dumps(other_case)}", "the other case shown")
    page.wait_for(f"!document.querySelector('#episode-list .episode-item') || ![{','.join(json.dumps(e) for e in first)}]"
                  ".includes(document.querySelector('#episode-list .episode-item').dataset.episode)",
                  "the other case's episodes listed", timeout=5)
    seen = {
        "first_episodes": first,
        "episodes": page.evaluate("[...document.querySelectorAll('#episode-list .episode-item')].map((li) => li.dataset.episode)"),
        "forms": count(page, "#episode-list .annotate"),
    }
    merged = page.tools.call("Runtime.evaluate", awaitPromise=True, returnByValue=True, expression="""(async () => {
        const { CaseData } = await import("/static/series.js");
        const data = new CaseData();
        data.addEpisode({ id: 1, start: "2026-12-06T10:00:00Z", end: "2026-12-06T10:01:00Z" });
        data.addEpisode({ id: 2, start: "2026-12-06T10:03:00Z", end: "2026-12-06T10:04:00Z" });
        data.addEpisode({ id: 3, start: "2026-12-06T10:06:00Z", end: "2026-12-06T10:07:00Z" });
        data.addEpisode({ id: 4, start: "2026-12-06T10:00:00Z", end: "2026-12-06T10:04:30Z" });
        return [...data.episodes.keys()];
    })()""")
    seen["episodes_after_merge"] = merged.get("result", {}).get("value")
    page.screenshot(out)
    return seen


def main():
    browser, mode, out = sys.argv[1:4]
    # No sandbox: the page is the test's own server on loopback, and CI
    # containers often lack the user namespaces Chromium's sandbox needs.
    with Browser(browser, 1600, 1000, ["--no-sandbox"]) as page:
        url = os.environ.get("PAGE_URL") or sys.stdin.readline().strip()
        page.tools.call("Page.navigate", url=url)
        second = sys.stdin.readline().strip() if mode not in ("review", "new-alarm", "limits", "backfill") else ""
        seen = {"review": lambda: review(page, out), "new-alarm": lambda: new_alarm(page, out),
                "limits": lambda: limits(page, out, url),
                "backfill": lambda: backfill(page, out, url),
                "denied": lambda: denied(page, out, second),
                "link": lambda: link(page, out, url, second),
                "switch": lambda: switch(page, out, second)}[mode]()
    print(json.dumps(seen))


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as error:
        sys.exit(f"dashboard_review: {error}")
