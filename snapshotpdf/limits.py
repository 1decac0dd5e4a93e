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
