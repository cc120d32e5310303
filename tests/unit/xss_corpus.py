"""Classic XSS payloads written as forum post sources, for the Markdown renderer's tests.

Each entry is a whole post body. Raw HTML must come out as text, Markdown links and images
must lose any URL that is not http(s) (or mailto for links), and nothing may add an event
handler, a style or a tag outside the allow-list.
"""

from __future__ import annotations

_B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="  # <script>alert(1)</script>
_B64_SVG = "PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"  # <svg onload=alert(1)>

RAW_HTML = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<img src=x onerror=alert(1)//",
    '<img src="x" onerror="alert(1)"',
    "<img src=`x` onerror=alert(1)>",
    '<img src="https://ok.example/x.png" onload="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><set attributeName="href" to="javascript:alert(1)" /></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    "<xss onpointerover=alert(1)>hover</xss>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="position:fixed;inset:0">covers the page</p>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="https://ok.example/" onclick="alert(1)">x</a>',
    '<a href="data:text/html;base64,' + _B64_SCRIPT + '">x</a>',
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<!-- --><script>alert(1)</script><!-- -->",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<?xml-stylesheet href='javascript:alert(1)'?>",
    "<plaintext><script>alert(1)</script>",
]

MARKDOWN_LINKS = [
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](  javascript:alert(1)  )",
    "[x](java&#x09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[x](%6A%61%76%61%73%63%72%69%70%74%3Aalert(1))",
    "[x](javascript://%0aalert(1))",
    "[x](java\0script:alert(1))",
    "[x](\x01javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](data:text/html;base64," + _B64_SCRIPT + ")",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "[x](//evil.example/)",
    "[x](/\\evil.example/)",
    '[x](https://ok.example/"><script>alert(1)</script>)',
    '[x](http://a "\\" onmouseover=alert(1)")',
    "[x](http://a 'x\" onmouseover=\"alert(1)')",
    '[x](https://ok.example/ "<script>alert(1)</script>")',
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    '[x][ref]\n\n[ref]: https://ok.example/ "\\" onclick=alert(1)"',
    "[<img src=x onerror=alert(1)>](https://ok.example/)",
    "<javascript:alert(1)>",
    "<JaVaScRiPt:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "<vbscript:msgbox(1)>",
]

MARKDOWN_IMAGES = [
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64," + _B64_SVG + ")",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](mailto:a@example.com)",
    "![x](//evil.example/i.png)",
    '![x](http://a" onerror="alert(1))',
    '![x" onerror="alert(1)](https://ok.example/i.png)',
    '![x](https://ok.example/i.png "\\" onerror=alert(1)")',
    "![x][img]\n\n[img]: javascript:alert(1)",
    "[![x](javascript:alert(1))](javascript:alert(1))",
]

BARE_TEXT = [
    "javascript:alert(1)",
    'https://evil.example/"onmouseover="alert(1)',
    "www.evil.example/<script>alert(1)</script>",
    "mailto:x@example.com?body=<script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "<scr\0ipt>alert(1)</scr\0ipt>",
    "\0<script>alert(1)</script>",
    "\u202e<script>alert(1)</script>",
    "[\u202egpj.exe](https://evil.example/exe.jpg)",
]

CODE_AND_BLOCKS = [
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    '```html" onmouseover="alert(1)\n<b>x</b>\n```',
    "    <script>alert(1)</script>",
    "> <script>alert(1)</script>",
    "- <svg onload=alert(1)>",
    "**<img src=x onerror=alert(1)>**",
    "# <script>alert(1)</script>",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |",
    "| [x](javascript:alert(1)) | ![y](javascript:alert(1)) |\n|:-|-:|\n| <b onclick=x>c</b> | d |",
]

#: Every payload, as the source of one post.
PAYLOADS: list[str] = RAW_HTML + MARKDOWN_LINKS + MARKDOWN_IMAGES + BARE_TEXT + CODE_AND_BLOCKS
