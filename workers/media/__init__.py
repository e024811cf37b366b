"""Media pipeline: probe, validate, transcode (one ffmpeg pass), progress, photos.

Pure library code: no Django models and no Celery here; ``workers/tasks`` drives it.
"""

from workers.media.errors import (
    REJECTION_MESSAGES,
    InsufficientDiskSpace,
    MediaError,
    MediaRejected,
    PhotoRejected,
    RejectionCode,
    TranscodeCancelled,
    TranscodeFailed,
    TranscodeTimedOut,
    rejection_message,
)
from workers.media.photos import PhotoResult, sanitize_photo
from workers.media.probe import ProbeResult, check_decodable, probe_media, validate_probe
from workers.media.progress import Progress, ProgressTracker
from workers.media.strip import StripResult, is_clean, private_tags, strip_metadata
from workers.media.transcode import (
    ALL_OUTPUTS,
    MASTER,
    OUTPUT_FILENAMES,
    POSTER,
    PREVIEW,
    Branding,
    LoudnessMeasurement,
    OutputSummary,
    TranscodePlan,
    TranscodeResult,
    build_command,
    ensure_free_space,
    estimate_needed_bytes,
    measure_loudness,
    plan_transcode,
    process_video,
    run_transcode,
    time_limits_for,
)

__all__ = [
    "ALL_OUTPUTS",
    "MASTER",
    "OUTPUT_FILENAMES",
    "POSTER",
    "PREVIEW",
    "REJECTION_MESSAGES",
    "Branding",
    "InsufficientDiskSpace",
    "LoudnessMeasurement",
    "MediaError",
    "MediaRejected",
    "OutputSummary",
    "PhotoRejected",
    "PhotoResult",
    "ProbeResult",
    "Progress",
    "ProgressTracker",
    "RejectionCode",
    "StripResult",
    "TranscodeCancelled",
    "TranscodeFailed",
    "TranscodePlan",
    "TranscodeResult",
    "TranscodeTimedOut",
    "build_command",
    "check_decodable",
    "ensure_free_space",
    "estimate_needed_bytes",
    "is_clean",
    "measure_loudness",
    "plan_transcode",
    "private_tags",
    "probe_media",
    "process_video",
    "rejection_message",
    "run_transcode",
    "sanitize_photo",
    "strip_metadata",
    "time_limits_for",
    "validate_probe",
]
