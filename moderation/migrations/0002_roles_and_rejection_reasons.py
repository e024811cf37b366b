"""The staff roles as groups with their permissions, and the first rejection reasons."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR = [
    "moderation.view_workspace",
    "moderation.review_story",
    "moderation.decide_story",
]
PUBLISHER = MODERATOR + [
    "moderation.publish_story",
    "moderation.takedown_story",
    "moderation.takeover_claim",
]
CAMPAIGN_ADMIN = [
    "moderation.view_workspace",
    "moderation.view_moderationsettings",
    "moderation.change_moderationsettings",
    "moderation.add_moderationsettings",
    "moderation.view_rejectionreason",
    "moderation.add_rejectionreason",
    "moderation.change_rejectionreason",
    "moderation.view_rejectionreasontext",
    "moderation.add_rejectionreasontext",
    "moderation.change_rejectionreasontext",
    "moderation.delete_rejectionreasontext",
    "stories.view_region",
    "stories.add_region",
    "stories.change_region",
    "stories.view_topic",
    "stories.add_topic",
    "stories.change_topic",
    "stories.view_consenttext",
    "stories.add_consenttext",
    "stories.view_auditentry",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    "auth.view_group",
    "otp_totp.view_totpdevice",
    "otp_totp.delete_totpdevice",
]
ROLES = {
    "moderator": MODERATOR,
    "publisher": PUBLISHER,
    "campaign_admin": CAMPAIGN_ADMIN,
    "partner": [],
}

# code, label (German, for moderators), texts per language (what the submitter reads).
REASONS = [
    (
        "spam",
        "Spam oder kein Beitrag zur Kampagne",
        True,
        {
            "de": "Ihre Einsendung ist kein Beitrag zur Kampagne ZUSAMMEN. MEHR.",
            "en": "Your submission is not a contribution to the ZUSAMMEN. MEHR. campaign.",
            "ar": "مشاركتك ليست مساهمة في حملة ZUSAMMEN. MEHR.",
            "fa": "ارسال شما مشارکتی در کمپین ZUSAMMEN. MEHR. نیست.",
            "uk": "Ваше надсилання не є внеском у кампанію ZUSAMMEN. MEHR.",
            "tr": "Gönderiniz ZUSAMMEN. MEHR. kampanyasına bir katkı değildir.",
        },
    ),
    (
        "off-topic",
        "Passt nicht zum Thema der Kampagne",
        False,
        {
            "de": "Ihre Geschichte passt leider nicht zum Thema der Kampagne: gelungene "
            "Integration geflüchteter Menschen in Niedersachsen.",
            "en": "Unfortunately your story does not fit the campaign's theme: successful "
            "integration of refugees in Lower Saxony.",
            "ar": "للأسف لا تتناسب قصتك مع موضوع الحملة: الاندماج الناجح للاجئين في ولاية "
            "ساكسونيا السفلى.",
            "fa": "متأسفانه داستان شما با موضوع کمپین، یعنی ادغام موفق پناهجویان در "
            "نیدرزاکسن، همخوانی ندارد.",
            "uk": "На жаль, ваша історія не відповідає темі кампанії: успішна інтеграція "
            "біженців у Нижній Саксонії.",
            "tr": "Maalesef hikâyeniz kampanyanın konusuna uymuyor: Aşağı Saksonya'da "
            "mültecilerin başarılı uyumu.",
        },
    ),
    (
        "consent-missing",
        "Einwilligungen unvollständig",
        False,
        {
            "de": "Uns fehlen Einwilligungen von Personen, die im Video zu sehen oder zu "
            "hören sind.",
            "en": "We are missing the consent of people who can be seen or heard in the video.",
            "ar": "تنقصنا موافقة أشخاص يظهرون أو تُسمع أصواتهم في الفيديو.",
            "fa": "رضایت افرادی که در ویدیو دیده یا شنیده می‌شوند، به دست ما نرسیده است.",
            "uk": "Нам бракує згоди людей, яких видно або чути у відео.",
            "tr": "Videoda görünen veya sesi duyulan kişilerin onayı eksik.",
        },
    ),
    (
        "third-party-material",
        "Fremde Musik oder fremdes Bildmaterial",
        False,
        {
            "de": "Das Video enthält Musik oder Bilder, an denen wir keine Rechte haben.",
            "en": "The video contains music or footage we hold no rights to.",
            "ar": "يحتوي الفيديو على موسيقى أو لقطات لا نملك حقوق استخدامها.",
            "fa": "ویدیو شامل موسیقی یا تصاویری است که ما حق استفاده از آن‌ها را نداریم.",
            "uk": "Відео містить музику або матеріали, на які ми не маємо прав.",
            "tr": "Video, üzerinde hakkımız olmayan müzik veya görüntüler içeriyor.",
        },
    ),
    (
        "safety",
        "Gefährdet Personen",
        False,
        {
            "de": "Das Video könnte Menschen gefährden, die darin zu sehen sind oder genannt "
            "werden. Zu ihrem Schutz veröffentlichen wir es nicht.",
            "en": "The video could put people at risk who appear or are named in it. To "
            "protect them, we will not publish it.",
            "ar": "قد يعرّض الفيديو للخطر أشخاصًا يظهرون فيه أو تُذكر أسماؤهم. لحمايتهم لن "
            "ننشره.",
            "fa": "این ویدیو ممکن است افرادی را که در آن دیده یا نام برده می‌شوند به خطر "
            "بیندازد. برای حفاظت از آن‌ها آن را منتشر نمی‌کنیم.",
            "uk": "Відео може наражати на небезпеку людей, яких у ньому видно або названо. "
            "Щоб їх захистити, ми його не публікуємо.",
            "tr": "Video, içinde görünen veya adı geçen kişileri tehlikeye atabilir. Onları "
            "korumak için yayınlamıyoruz.",
        },
    ),
]


def forwards(apps, schema_editor):
    for app_label in ("auth", "stories", "moderation", "otp_totp"):
        config = apps.get_app_config(app_label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = []
        for code in codes:
            app_label, codename = code.split(".")
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.add(*perms)

    Reason = apps.get_model("moderation", "RejectionReason")
    ReasonText = apps.get_model("moderation", "RejectionReasonText")
    for position, (code, label, is_spam, texts) in enumerate(REASONS):
        reason, created = Reason.objects.get_or_create(
            code=code, defaults={"label": label, "is_spam": is_spam, "position": position}
        )
        if created:
            ReasonText.objects.bulk_create(
                ReasonText(reason=reason, language=lang, text=text) for lang, text in texts.items()
            )


def backwards(apps, schema_editor):
    apps.get_model("moderation", "RejectionReason").objects.filter(
        code__in=[r[0] for r in REASONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
