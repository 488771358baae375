"""XMP packets parsed as RDF/XML: dates, creator tool, editing history, derived-from chain, ingredients.

An XMP packet is RDF/XML.  Properties appear either as attributes of an ``rdf:Description``
(``xmp:CreatorTool="..."``) or as child elements; ``xmpMM:History`` is an ``rdf:Seq`` of ``stEvt``
events (action, when, softwareAgent, changed), ``xmpMM:DerivedFrom`` a ``stRef`` resource reference and
``xmpMM:Ingredients`` a bag of them.  These say which programs touched a file and when: provenance
evidence in their own right (an After Effects render, a Premiere export, a Photoshop save).

Packets with a DOCTYPE or entity declarations are refused (no entity expansion ever runs); only the
first 1 MiB is read.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

__all__ = ["XmpEvent", "XmpInfo", "parse_xmp"]

log = logging.getLogger(__name__)

_MAX_BYTES = 1 << 20
_MAX_EVENTS = 500
NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "stEvt": "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#",
    "stRef": "http://ns.adobe.com/xap/1.0/sType/ResourceRef#",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "exif": "http://ns.adobe.com/exif/1.0/",
    "tiff": "http://ns.adobe.com/tiff/1.0/",
    "xmpDM": "http://ns.adobe.com/xmp/1.0/DynamicMedia/",
    "GCamera": "http://ns.google.com/photos/1.0/camera/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
_PREFIX = {v: k for k, v in NS.items()}
#: simple properties kept, as "prefix:Name"
FIELDS = ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate", "xmp:CreatorTool", "photoshop:DateCreated",
          "exif:DateTimeOriginal", "tiff:Make", "tiff:Model", "tiff:Software", "exif:GPSLatitude",
          "exif:GPSLongitude", "GCamera:MotionPhoto", "xmpMM:DocumentID", "xmpMM:OriginalDocumentID",
          "xmpMM:InstanceID", "xmpDM:startTimecode", "xmpDM:videoFrameRate")


@dataclass(frozen=True)
class XmpEvent:
    """One ``xmpMM:History`` event: what a program did and when (raw text as written)."""

    action: str = ""
    when: str = ""
    software_agent: str = ""
    changed: str = ""
    instance_id: str = ""


@dataclass(frozen=True)
class XmpInfo:
    """What an XMP packet says, raw text per property (dates are parsed by the normaliser)."""

    fields: dict[str, str] = field(default_factory=dict)
    history: tuple[XmpEvent, ...] = ()
    derived_from: tuple[str, ...] = ()
    ingredients: tuple[str, ...] = ()
    error: str = ""


def _qname(tag: str) -> str:
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return f"{_PREFIX.get(uri, uri)}:{local}"
    return tag


def _props(el: ET.Element) -> dict[str, str]:
    """Properties of a resource: its attributes and its simple child elements (``rdf:Description`` or ``li``)."""
    out = {_qname(k): v for k, v in el.attrib.items()}
    for child in el:
        if child.text and child.text.strip() and len(child) == 0:
            out.setdefault(_qname(child.tag), child.text.strip())
        elif _qname(child.tag) == "rdf:Description":
            out.update({k: v for k, v in _props(child).items() if k not in out})
    return out


def _ref(props: dict[str, str]) -> str:
    parts = [f"{k.split(':', 1)[1]}={v}" for k, v in props.items() if k.startswith("stRef:")]
    return ", ".join(parts)


def parse_xmp(data: bytes | str) -> XmpInfo:
    """Parse an XMP packet.

    Parameters
    ----------
    data : bytes or str
        The packet (``<x:xmpmeta ...>`` or bare ``<rdf:RDF>``), with or without the ``<?xpacket?>`` wrapper.

    Returns
    -------
    XmpInfo
        Simple fields (``"xmp:CreatorTool"`` ...), History events in order, derived-from and ingredient
        references; ``error`` says why nothing was read (malformed, DOCTYPE refused).
    """
    text = data[:_MAX_BYTES].decode("utf-8", "replace") if isinstance(data, bytes) else data[:_MAX_BYTES]
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return XmpInfo(error="DOCTYPE/ENTITY declarations refused")
    i = text.find("<x:xmpmeta")
    if i < 0:
        i = text.find("<rdf:RDF")
    if i < 0:
        return XmpInfo(error="no x:xmpmeta or rdf:RDF element")
    end_tag = "</x:xmpmeta>" if text.startswith("<x:xmpmeta", i) else "</rdf:RDF>"
    j = text.find(end_tag, i)
    if j < 0:
        return XmpInfo(error="XMP packet cut before its end tag")
    body = text[i:j + len(end_tag)]
    if end_tag == "</rdf:RDF>" and "xmlns:rdf" not in body[:400]:
        body = body.replace("<rdf:RDF", f'<rdf:RDF xmlns:rdf="{NS["rdf"]}"', 1)
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        return XmpInfo(error=f"malformed XMP ({exc})")
    fields: dict[str, str] = {}
    history: list[XmpEvent] = []
    derived: list[str] = []
    ingredients: list[str] = []
    for desc in root.iter(f"{{{NS['rdf']}}}Description"):
        for k, v in _props(desc).items():
            if k in FIELDS and v.strip():
                fields.setdefault(k, v.strip())
        for child in desc:
            name = _qname(child.tag)
            if name == "xmpMM:History":
                for li in child.iter(f"{{{NS['rdf']}}}li"):
                    if len(history) >= _MAX_EVENTS:
                        break
                    p = _props(li)
                    history.append(XmpEvent(action=p.get("stEvt:action", ""), when=p.get("stEvt:when", ""),
                                            software_agent=p.get("stEvt:softwareAgent", ""),
                                            changed=p.get("stEvt:changed", ""),
                                            instance_id=p.get("stEvt:instanceID", "")))
            elif name == "xmpMM:DerivedFrom":
                r = _ref(_props(child))
                if r:
                    derived.append(r)
            elif name in ("xmpMM:Ingredients", "xmpMM:Pantry"):
                for li in child.iter(f"{{{NS['rdf']}}}li"):
                    r = _ref(_props(li))
                    if r and len(ingredients) < _MAX_EVENTS:
                        ingredients.append(r)
    # the pre-2004 "xap" prefix names the same namespace; ElementTree resolves it, regex fallback not needed
    if not fields and not history:
        for m in re.finditer(r'\b(xmp|xap):(CreateDate|ModifyDate|MetadataDate|CreatorTool)\s*=\s*"([^"]*)"', body):
            fields.setdefault(f"xmp:{m.group(2)}", m.group(3))
    return XmpInfo(fields=fields, history=tuple(history), derived_from=tuple(derived),
                   ingredients=tuple(ingredients))
