"""Consent texts, version 1, in Arabic, Farsi, Ukrainian and Turkish.

The ledger records the language of the text a person was shown, so every interface
language needs its own text rather than the German one.
"""

from django.db import migrations

CONSENTS = {
    "publication": {
        "ar": "أوافق على نشر قصتي مع الفيديو على قناة يوتيوب وموقع حملة ZUSAMMEN. MEHR. "
        "ويمكنني سحب هذه الموافقة في أي وقت عبر رابطي الشخصي.",
        "fa": "موافقم که داستان و ویدیوی من در کانال یوتیوب و وب‌سایت کمپین ZUSAMMEN. MEHR. "
        "منتشر شود. می‌توانم این رضایت را هر زمان از طریق لینک شخصی‌ام پس بگیرم.",
        "uk": "Я погоджуюся, що мою історію з відео буде опубліковано на YouTube-каналі та "
        "вебсайті кампанії ZUSAMMEN. MEHR. Я можу будь-коли відкликати цю згоду через "
        "своє особисте посилання.",
        "tr": "Hikâyemin ve videomun ZUSAMMEN. MEHR. kampanyasının YouTube kanalında ve web "
        "sitesinde yayımlanmasını kabul ediyorum. Bu onayı kişisel bağlantım üzerinden "
        "istediğim zaman geri alabilirim.",
    },
    "usage_rights": {
        "ar": "أمنح الحملة الحق في اختصار النص والفيديو وإضافة ترجمة نصية لهما ومشاركتهما مع "
        "شركاء التحالف طوال مدة الحملة.",
        "fa": "به کمپین این حق را می‌دهم که متن و ویدیو را کوتاه کند، زیرنویس بگذارد و در طول "
        "مدت کمپین با شرکای ائتلاف به اشتراک بگذارد.",
        "uk": "Я надаю кампанії право скорочувати текст і відео, додавати субтитри та "
        "ділитися ними з партнерами альянсу протягом усього часу кампанії.",
        "tr": "Kampanyaya, metni ve videoyu kısaltma, altyazı ekleme ve kampanya süresince "
        "ittifak ortaklarıyla paylaşma hakkını veriyorum.",
    },
    "special_categories": {
        "ar": "قد تكشف قصتي عن الأصل أو الدين. أوافق صراحةً على معالجة هذه المعلومات من أجل "
        "النشر (المادة 9، الفقرة 2، البند أ من اللائحة العامة لحماية البيانات).",
        "fa": "داستان من ممکن است اطلاعاتی درباره خاستگاه یا دین داشته باشد. صراحتاً موافقم که "
        "این اطلاعات برای انتشار پردازش شود (ماده ۹، بند ۲، الف مقررات عمومی حفاظت از "
        "داده‌ها).",
        "uk": "Моя історія може розкривати походження або релігію. Я прямо погоджуюся на "
        "обробку цих даних для публікації (ст. 9(2)(a) GDPR).",
        "tr": "Hikâyem köken veya dinle ilgili bilgiler içerebilir. Bu bilgilerin yayın için "
        "işlenmesine açıkça onay veriyorum (GDPR Madde 9(2)(a)).",
    },
    "people_in_video": {
        "ar": "جميع الأشخاص الذين يمكن التعرف عليهم في الفيديو وافقوا على نشره.",
        "fa": "همه کسانی که در ویدیو قابل شناسایی هستند با انتشار آن موافقت کرده‌اند.",
        "uk": "Усі люди, яких можна впізнати на відео, погодилися на його публікацію.",
        "tr": "Videoda tanınabilen herkes yayımlanmasını kabul etti.",
    },
    "guardian": {
        "ar": "أنا الوصي القانوني وأوافق على النشر.",
        "fa": "من سرپرست قانونی هستم و با انتشار موافقم.",
        "uk": "Я законний представник (опікун) і погоджуюся на публікацію.",
        "tr": "Yasal veliyim ve yayımlanmasını kabul ediyorum.",
    },
}


def seed(apps, schema_editor):
    ConsentText = apps.get_model("stories", "ConsentText")
    for purpose, texts in CONSENTS.items():
        for language, text in texts.items():
            ConsentText.objects.get_or_create(
                purpose=purpose, version=1, language=language, defaults={"text": text}
            )


class Migration(migrations.Migration):
    dependencies = [("stories", "0004_story_confirmation_sent_at")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
