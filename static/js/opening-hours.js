/* Fills each ".opening-status" line with "Open now · closes 5:00 PM" or
 * "Closed · opens Tuesday 8:00 AM", from the hours in its data attributes, in the clinic's
 * own time zone, and keeps it right every half minute. Kept (cached) pages carry only the
 * hours, so the state is never stale; without this script the hours table still says it all.
 * Same rules as pages/hours.py: a closing time not after the opening time runs past
 * midnight, and a closure date removes the rows that start on it.
 *
 * The page also gives the clinic's UTC offsets for the year ahead, the day names and each
 * time as the hours table writes it, so the usual answer needs none of the browser's
 * time-zone data (Intl), whose first use costs a phone tens of milliseconds. Intl is asked
 * only past the offsets' year or for a day more than a week away (a long closure). */
(function () {
  "use strict";
  if (window.modOpeningHours) {
    return;
  }
  window.modOpeningHours = true;

  var DAY = 1440;

  function minutes(text) {
    var parts = text.split(":");
    return Number(parts[0]) * 60 + Number(parts[1]);
  }

  /* The clinic's wall clock now from the page's offsets, or null outside their span:
   * pairs of [minutes since 1970 UTC, offset in minutes], the last one's offset null. */
  function clinicNowFromOffsets(offsets) {
    var now = Math.floor(Date.now() / 60000);
    if (!offsets.length || now < offsets[0][0] || now >= offsets[offsets.length - 1][0]) {
      return null;
    }
    var offset = offsets[0][1];
    for (var i = 1; i < offsets.length - 1 && offsets[i][0] <= now; i++) {
      offset = offsets[i][1];
    }
    var wall = now + offset;
    var day = Math.floor(wall / DAY);
    return { day: day, minute: wall - day * DAY };
  }

  /* The clinic's wall clock now: days since 1970-01-01 (local date) and minutes. */
  function clinicNow(timeZone) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: timeZone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(new Date()).forEach(function (part) { parts[part.type] = part.value; });
    var day = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)) / 864e5;
    return { day: day, minute: Number(parts.hour) % 24 * 60 + Number(parts.minute) };
  }

  function weekday(day) { /* 0 = Monday, as in the hours rows */
    return (new Date(day * 864e5).getUTCDay() + 6) % 7;
  }

  function isoDate(day) {
    return new Date(day * 864e5).toISOString().slice(0, 10);
  }

  /* Open periods as [start, end) in wall-clock minutes since 1970, merged, in order. */
  function periods(rows, closed, firstDay, lastDay) {
    var list = [];
    for (var day = firstDay; day <= lastDay; day++) {
      if (closed[isoDate(day)]) {
        continue;
      }
      rows.forEach(function (row) {
        if (row[0] !== weekday(day)) {
          return;
        }
        var opens = minutes(row[1]);
        var closes = minutes(row[2]);
        var length = closes > opens ? closes - opens : closes + DAY - opens;
        /* [start, end, start as written, end as written] */
        list.push([day * DAY + opens, day * DAY + opens + length, row[3], row[4]]);
      });
    }
    list.sort(function (a, b) { return a[0] - b[0]; });
    var merged = [];
    list.forEach(function (period) {
      var last = merged[merged.length - 1];
      if (last && period[0] <= last[1]) {
        if (period[1] > last[1]) {
          last[1] = period[1];
          last[3] = period[3];
        }
      } else {
        merged.push(period.slice());
      }
    });
    return merged;
  }

  /* "5:00 PM", "Tuesday 8:00 AM", or past a week "Tuesday, January 6 8:00 AM". `written`
   * is the time as the hours table writes it; `names` the day names, Monday first. */
  function describe(when, written, today, lang, names) {
    var day = Math.floor(when / DAY);
    var minute = when - day * DAY;
    var time = written;
    if (!time) {
      var clock = new Date(Date.UTC(2000, 0, 1, Math.floor(minute / 60), minute % 60));
      time = new Intl.DateTimeFormat(lang, {
        hour: "numeric", minute: "2-digit", timeZone: "UTC"
      }).format(clock);
    }
    if (day === today) {
      return time;
    }
    if (day - today < 7 && names.length === 7) {
      return names[weekday(day)] + " " + time;
    }
    var options = day - today < 7 ? { weekday: "long" } : { weekday: "long", month: "long", day: "numeric" };
    options.timeZone = "UTC";
    return new Intl.DateTimeFormat(lang, options).format(new Date(day * 864e5)) + " " + time;
  }

  function update(element) {
    var data = element.dataset;
    var rows = JSON.parse(data.openingHours || "[]");
    var closedList = JSON.parse(data.closedDates || "[]");
    var closed = {};
    closedList.forEach(function (date) { closed[date] = true; });
    var lang = document.documentElement.lang || "en";
    var names = JSON.parse(data.dayNames || "[]");
    var now = clinicNowFromOffsets(JSON.parse(data.utcOffsets || "[]"));
    if (!now) {
      try {
        now = clinicNow(data.timeZone);
      } catch (error) {
        return; /* an unknown time zone: the table alone is right */
      }
    }
    var at = now.day * DAY + now.minute;
    /* Past the last closure date the week repeats: one more week is enough. */
    var lastDay = now.day + 8 + closedList.length;
    var list = periods(rows, closed, now.day - 1, lastDay);
    var text = null;
    var open = false;
    for (var i = 0; i < list.length; i++) {
      if (list[i][1] <= at) {
        continue;
      }
      if (list[i][0] <= at) {
        open = true;
        text = list[i][1] >= (lastDay + 1) * DAY ? data.textOpen
          : data.textOpen + " · " + data.textCloses.replace("{when}", describe(list[i][1], list[i][3], now.day, lang, names));
      } else {
        text = data.textClosed + " · " + data.textOpens.replace("{when}", describe(list[i][0], list[i][2], now.day, lang, names));
      }
      break;
    }
    if (text === null) {
      text = data.textClosed;
    }
    /* The words go in their own span: its sibling holds the line's room (no layout shift). */
    (element.querySelector(".opening-status-text") || element).textContent = text;
    element.classList.toggle("is-open", open);
    element.classList.toggle("is-closed", !open);
    element.hidden = false;
  }

  function updateAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".opening-status"), update);
  }

  updateAll();
  window.setInterval(updateAll, 30000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      updateAll();
    }
  });
})();
