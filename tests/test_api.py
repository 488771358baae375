"""The public surface: a sorted __all__, lazy heavy imports, every name resolvable."""

import subprocess
import sys

import provenance


def test_all_is_sorted_and_unique():
    assert list(provenance.__all__) == sorted(set(provenance.__all__))


def test_every_public_name_resolves():
    for name in provenance.__all__:
        assert getattr(provenance, name) is not None, name


def test_import_is_light():
    code = "import sys, provenance; print(sorted(m for m in ('cv2', 'av', 'numpy', 'imagehash', 'exifread') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_errors_inherit_builtins():
    assert issubclass(provenance.MediaNotFoundError, FileNotFoundError)
    assert issubclass(provenance.UnsupportedMediaError, ValueError)
    assert issubclass(provenance.InvalidArgumentError, ValueError)
    assert issubclass(provenance.ToolNotFoundError, provenance.ProvenanceError)
    for name in provenance.__all__:
        obj = getattr(provenance, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, provenance.ProvenanceError)


def test_media_object_import_is_light():
    code = ("import sys, provenance.media; print(sorted(m for m in ('cv2', 'av', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_public_steps_accept_the_media_object(corpus):
    from provenance.media import MediaFile, MediaLimits

    clip = corpus / "metadata" / "android601_with-gps.mp4"
    with MediaFile(clip, limits=MediaLimits()) as media:
        md = provenance.extract_metadata(media)
        fp = provenance.fingerprint(media)
        kf = provenance.extract_keyframes(media)
        report = provenance.analyze(media)
    assert md.duration_s and len(fp) == len(kf) > 0 and report.path == str(clip)
    assert fp.times_s.tolist() == provenance.fingerprint(clip).times_s.tolist()
