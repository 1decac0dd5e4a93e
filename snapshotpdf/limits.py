"""Every limit snapshotpdf sets on its input, named in one place.

Each is generous enough for any real survey; a file beyond one is refused with an
`error:` line that names the limit and says what to do, never a crash.
"""

from __future__ import annotations

# The most a survey may hold once unpacked: the sum of a workbook's zip members, or a
# text file's size.
MAX_BYTES = 200 * 1024 * 1024
# The most a workbook may be compressed (unpacked size / packed size) ...
MAX_COMPRESSION_RATIO = 100
# ... once it unpacks to more than this: below it, no ratio is dangerous.
COMPRESSION_RATIO_FLOOR = 10 * 1024 * 1024

# The most rows a sheet or text export may have, counted to the last row that holds a
# value (header rows included); a stray cell far below the answers is beyond it.
MAX_ROWS = 100_000
# The most columns, counted to the last cell of a row that holds a value.
MAX_COLUMNS = 2_000
# The most characters one cell may hold (Excel itself stops at 32,767).
MAX_CELL_CHARS = 1_000_000
# The most control characters a CSV or text export's first 4,096 characters may hold, tab,
# line breaks, vertical tab and form feed aside (a vertical tab is a line break in a cell as
# FileMaker exports one): more is binary data, not text, and the file is refused.
MAX_TEXT_CONTROLS = 40
# The most a survey profile (a TOML file) may hold; real ones are a few KB.
MAX_PROFILE_BYTES = 1024 * 1024
# The most a layout's layout.toml may hold (settings only; the bundled one is 5 KB), and
# the longest organisation name its [brand] may give (it is set in the header and cover).
MAX_LAYOUT_TOML_BYTES = 256 * 1024
MAX_ORGANISATION_CHARS = 120
# The most cells a survey may hold: rows times columns, as a sheet is read (each row to
# its last value) and as its rows are made into records (each row has every named
# column). It bounds memory where the limits above multiply (100,000 x 2,000).
MAX_CELLS = 10_000_000
# The most characters of one display name in an e-mail header (a contact's or the
# sender's name); a longer "name" is text pasted into the wrong cell.
MAX_HEADER_NAME_CHARS = 200
# The most characters of a free-text answer that can be printed (a spotlight, the
# organisational structure): about 450 words, more than two pages hold. A longer answer
# is cut, with a warning, before it reaches the renderer.
MAX_ANSWER_CHARS = 3_000
# The most characters of a one-line answer (a mayor's name, a term, a website).
MAX_LINE_CHARS = 300
# The most combining marks (accents, vowel signs) kept on one letter of an answer: real
# text in any script stacks a few; 50 accents on one letter ("Zalgo" text) drew up through
# the lines above and off the page. The ones past this are left out.
MAX_COMBINING_MARKS = 4
# The most lines of a free-text answer (its paragraphs and the lines of its lists): about
# what MAX_ANSWER_CHARS of prose fill in a column. 900 one-letter paragraphs, well under
# the characters, took ten pages; the lines past this are cut, with a warning.
MAX_ANSWER_LINES = 40
# The most characters of a city's or a country's name (the header band prints up to about
# 400 in its smallest type, in three lines); a longer one skips the row with an error.
MAX_NAME_CHARS = 200
# A name longer than this is printed in smaller type, with a warning.
LONG_NAME_CHARS = 100
# The largest population a city may have: ten billion, more than the world's. A larger
# number (1e40 typed, or a cell of digits pasted in) is dropped with a warning at its cell.
MAX_POPULATION = 10_000_000_000
# The most priority policy areas printed, in the city's order (the 2018 snapshots list up to
# five); more are dropped with a warning naming them.
MAX_PRIORITY_AREAS = 5
# A booklet's cover logo (booklet --logo): its largest file; a bigger one is refused.
MAX_LOGO_BYTES = 2 * 1024 * 1024
# The most pixels of a raster image (5,000 x 5,000): a logo (refused with an error), or any
# image a layout's CSS or template shows (left out of the page, with a warning): an image,
# not a poster, and never a few KB that unpack to gigabytes.
MAX_IMAGE_PIXELS = 25_000_000
# The most own fields a survey profile may add to the record ([extra]): each is a column
# read in every row and an answer kept in every record; a snapshot prints a few at most.
MAX_EXTRA_FIELDS = 50
# The most icons a layout's icons/ folder may hold (each is a glyph of its icon font,
# render/iconfont.py), and the largest icon file; a larger one is drawn blank.
MAX_ICONS = 1_000
MAX_ICON_BYTES = 256 * 1024
# The most lines and curves an icon's shapes may have in all (the bundled ones have at most
# 46): joining the outlines of a stroke that crosses itself takes time that grows with the
# cube of its curves (300 took 6 s, 1,200 minutes). An icon with more is drawn blank, and
# the run says why.
MAX_ICON_SEGMENTS = 200
# The most worker processes `build --jobs N` may ask for (a build starts one for every few
# cities, up to N: never more than it has cities to give them).
MAX_JOBS = 256
# `mail --send`: the longest wait on the SMTP server (--timeout) and before a retry
# (--backoff, and each doubled wait after it), an hour each; the most retries of one
# message (--retries). More is a mistyped number, and would wait for ever.
MAX_SMTP_TIMEOUT = 3600.0
MAX_SMTP_BACKOFF = 3600.0
MAX_SMTP_RETRIES = 20
# `mail`: the most addresses one city's message goes to (a contacts-file cell; mail servers
# often take no more than 50 to 100 recipients a message), and the largest PDF it attaches
# (many mail servers refuse messages over about 25 MB, and the attachment grows by a third
# as it is encoded). A city beyond either is rejected, with the number and the limit.
MAX_RECIPIENTS = 50
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
# The most a layout's message catalog (locales/LANG.toml) may hold, checked before it is
# parsed: the bundled ones are 15 KB; a larger file is not a catalog of one snapshot's words.
MAX_CATALOG_BYTES = 512 * 1024
# The most pages a layout may give a snapshot (layout.toml pages): a snapshot, not a book.
MAX_LAYOUT_PAGES = 1_000
# The largest string or list a layout's template may make with `*` (render/sandbox.py), and
# the largest template file: a snapshot's page is some 20 KB of HTML.
MAX_TEMPLATE_VALUE = 1_000_000
MAX_TEMPLATE_BYTES = 1024 * 1024
# The longest one city's snapshot may take to make (its HTML, layout, copy-fitting and
# PDF), in seconds: a city takes about half a second, the longest real answers a few. A
# layout template that loops for hours (a loop in a loop, each bounded) is stopped here:
# that city fails with this limit named, and the others are made.
MAX_RENDER_SECONDS = 120
# The most <use> elements an SVG logo may have: each may draw another that draws others,
# so 70 in 1.4 KB were drawn ten million times (a logo repeats a shape a few times at most).
MAX_LOGO_SVG_USES = 16
# The longest line given for the booklet's covers (--title, --subtitle, --author): the
# cover sets it large, on one page.
MAX_COVER_CHARS = 200
